import { ActionIcon, Badge, Button, Group, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { del, post, seg } from '../api/client';
import type { Topic } from '../api/types';
import { confirmAction, ErrorAlert, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { formatTime } from '../lib/format';

function CreateTopic({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('default');
  const [partitions, setPartitions] = useState<number | string>(1);
  const [durability, setDurability] = useState<string>('wal');
  const [retentionMs, setRetentionMs] = useState<number | string>(0);
  const create = useMutation({
    mutationFn: () =>
      post('/api/v1/topics', {
        name,
        tenant,
        partitions: Number(partitions),
        durability,
        retention_ms: Number(retentionMs),
      }),
    onSuccess: () => {
      notifyOk(`Topic ${name} created`);
      qc.invalidateQueries({ queryKey: ['topics'] });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Stack>
        <ErrorAlert error={create.error} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <TextInput label="Tenant" value={tenant} onChange={(e) => setTenant(e.currentTarget.value)} />
        <NumberInput label="Partitions" min={1} value={partitions} onChange={setPartitions} />
        <Select
          label="Durability"
          data={['none', 'wal', 'fsync']}
          value={durability}
          onChange={(v) => setDurability(v ?? 'wal')}
          allowDeselect={false}
        />
        <NumberInput
          label="Retention (ms, 0 = unlimited)"
          min={0}
          value={retentionMs}
          onChange={setRetentionMs}
        />
        <Button type="submit" loading={create.isPending}>
          Create
        </Button>
      </Stack>
    </form>
  );
}

export function TopicsPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const remove = useMutation({
    mutationFn: (t: Topic) => del(`/api/v1/topics/${seg(t.name)}`, { tenant: t.tenant }),
    onSuccess: (_, t) => {
      notifyOk(`Topic ${t.name} deleted`);
      qc.invalidateQueries({ queryKey: ['topics'] });
    },
    onError: notifyError,
  });
  const open = (t: Topic) =>
    navigate(`/topics/${seg(t.name)}${t.tenant !== 'default' ? `?tenant=${seg(t.tenant)}` : ''}`);
  return (
    <>
      <PageHeader title="Topics">
        <Button onClick={() => setCreating(true)}>Create topic</Button>
      </PageHeader>
      <PagedTable<Topic>
        path="/api/v1/topics"
        queryKey="topics"
        rowKey={(t) => `${t.tenant}/${t.name}`}
        searchPlaceholder="Search topic"
        empty="No topics. MQTT topics appear on their first publish."
        onRowClick={open}
        columns={[
          { header: 'Name', render: (t) => t.name },
          { header: 'Tenant', render: (t) => t.tenant },
          { header: 'Partitions', render: (t) => t.partitions },
          {
            header: 'Kind',
            render: (t) => <Badge variant="light">{t.mqtt ? 'mqtt' : 'kernel'}</Badge>,
          },
          { header: 'Durability', render: (t) => t.durability },
          { header: 'Retained', render: (t) => (t.retained ? 'yes' : '') },
          { header: 'Created', render: (t) => formatTime(t.created_ms) },
          {
            header: '',
            render: (t) => (
              <Group gap={4} onClick={(e) => e.stopPropagation()}>
                <ActionIcon
                  color="red"
                  variant="subtle"
                  aria-label={`delete topic ${t.name}`}
                  onClick={() =>
                    confirmAction({
                      title: 'Delete topic',
                      message: `Delete topic ${t.name} and all its stored messages?`,
                      onConfirm: () => remove.mutate(t),
                    })
                  }
                >
                  ✕
                </ActionIcon>
              </Group>
            ),
          },
        ]}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create topic">
        <CreateTopic onDone={() => setCreating(false)} />
      </Modal>
    </>
  );
}
