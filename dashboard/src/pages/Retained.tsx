import { ActionIcon, Drawer, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, seg } from '../api/client';
import type { Retained } from '../api/types';
import { confirmAction, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { PayloadView } from '../components/PayloadView';
import { formatTime } from '../lib/format';

export function RetainedPage() {
  const qc = useQueryClient();
  const [filter, setFilter] = useState('#');
  const [debounced] = useDebouncedValue(filter, 300);
  const [shown, setShown] = useState<Retained | null>(null);
  const remove = useMutation({
    mutationFn: (r: Retained) => del(`/api/v1/retained/${seg(r.topic)}`, { tenant: r.tenant }),
    onSuccess: (_, r) => {
      notifyOk(`Retained message on ${r.topic} deleted`);
      qc.invalidateQueries({ queryKey: ['retained'] });
    },
    onError: notifyError,
  });
  return (
    <>
      <PageHeader title="Retained messages">
        <TextInput
          aria-label="topic filter"
          placeholder="Topic filter, e.g. sensors/#"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          w={260}
        />
      </PageHeader>
      <PagedTable<Retained>
        path="/api/v1/retained"
        queryKey="retained"
        extraQuery={{ filter: debounced || '#' }}
        rowKey={(r) => `${r.tenant}/${r.topic}`}
        searchPlaceholder="Search topic"
        empty="No retained messages."
        onRowClick={setShown}
        columns={[
          { header: 'Topic', render: (r) => r.topic },
          { header: 'Tenant', render: (r) => r.tenant },
          { header: 'QoS', render: (r) => r.qos },
          {
            header: 'Payload',
            render: (r) =>
              r.payload_encoding === 'text'
                ? r.payload.slice(0, 60)
                : `(binary, ${atob(r.payload).length} bytes)`,
          },
          { header: 'Stored', render: (r) => formatTime(r.stored_ms) },
          {
            header: '',
            render: (r) => (
              <ActionIcon
                color="red"
                variant="subtle"
                aria-label={`delete retained ${r.topic}`}
                onClick={(e) => {
                  e.stopPropagation();
                  confirmAction({
                    title: 'Delete retained message',
                    message: `Delete the retained message on ${r.topic}?`,
                    onConfirm: () => remove.mutate(r),
                  });
                }}
              >
                ✕
              </ActionIcon>
            ),
          },
        ]}
      />
      <Drawer
        opened={shown !== null}
        onClose={() => setShown(null)}
        title={`Retained on ${shown?.topic ?? ''}`}
        position="right"
        size="lg"
      >
        {shown && <PayloadView data={shown.payload} encoding={shown.payload_encoding} />}
      </Drawer>
    </>
  );
}
