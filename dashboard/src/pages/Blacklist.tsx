import { ActionIcon, Button, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, post, seg } from '../api/client';
import type { BlacklistEntry } from '../api/types';
import { confirmAction, ErrorAlert, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { formatTime } from '../lib/format';

const TYPES = ['client_id', 'username', 'ip', 'cidr', 'client_id_regex', 'username_regex'];

function AddEntry({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const [type, setType] = useState('client_id');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number | string>(0);
  const add = useMutation({
    mutationFn: () =>
      post('/api/v1/blacklist', {
        type,
        value,
        reason,
        expires_ms: Number(minutes) > 0 ? Date.now() + Number(minutes) * 60000 : 0,
      }),
    onSuccess: () => {
      notifyOk(`${type} ${value} banned`);
      qc.invalidateQueries({ queryKey: ['blacklist'] });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Stack>
        <ErrorAlert error={add.error} />
        <Select label="Type" data={TYPES} value={type} onChange={(v) => setType(v ?? 'client_id')} allowDeselect={false} />
        <TextInput label="Value" value={value} onChange={(e) => setValue(e.currentTarget.value)} required />
        <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <NumberInput label="Expires in minutes (0 = never)" min={0} value={minutes} onChange={setMinutes} />
        <Button type="submit" loading={add.isPending}>
          Ban
        </Button>
      </Stack>
    </form>
  );
}

export function BlacklistPage() {
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const remove = useMutation({
    mutationFn: (b: BlacklistEntry) => del(`/api/v1/blacklist/${seg(b.type)}/${seg(b.value)}`),
    onSuccess: (_, b) => {
      notifyOk(`${b.type} ${b.value} removed from the blacklist`);
      qc.invalidateQueries({ queryKey: ['blacklist'] });
    },
    onError: notifyError,
  });
  return (
    <>
      <PageHeader title="Blacklist">
        <Button onClick={() => setAdding(true)}>Add entry</Button>
      </PageHeader>
      <PagedTable<BlacklistEntry>
        path="/api/v1/blacklist"
        queryKey="blacklist"
        rowKey={(b) => `${b.type}/${b.value}`}
        searchPlaceholder="Search value"
        empty="Nobody is banned."
        columns={[
          { header: 'Type', render: (b) => b.type },
          { header: 'Value', render: (b) => b.value },
          { header: 'Reason', render: (b) => b.reason },
          { header: 'Expires', render: (b) => (b.expires_ms ? formatTime(b.expires_ms) : 'never') },
          { header: 'Created', render: (b) => formatTime(b.created_ms) },
          {
            header: '',
            render: (b) => (
              <ActionIcon
                color="red"
                variant="subtle"
                aria-label={`remove ${b.value}`}
                onClick={() =>
                  confirmAction({
                    title: 'Remove from blacklist',
                    message: `Allow ${b.type} ${b.value} again?`,
                    confirmLabel: 'Remove',
                    onConfirm: () => remove.mutate(b),
                  })
                }
              >
                ✕
              </ActionIcon>
            ),
          },
        ]}
      />
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add to blacklist">
        <AddEntry onDone={() => setAdding(false)} />
      </Modal>
    </>
  );
}
