import { ActionIcon, Badge, Tooltip } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { del, seg } from '../api/client';
import type { SessionInfo } from '../api/types';
import { confirmAction, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { formatTime } from '../lib/format';

export function SessionsPage() {
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (s: SessionInfo) =>
      del(`/api/v1/sessions/${seg(s.client_id)}`, { tenant: s.tenant }),
    onSuccess: (_, s) => {
      notifyOk(`Session ${s.client_id} deleted`);
      qc.invalidateQueries({ queryKey: ['sessions'] });
    },
    onError: notifyError,
  });
  return (
    <>
      <PageHeader title="Sessions" />
      <PagedTable<SessionInfo>
        path="/api/v1/sessions"
        queryKey="sessions"
        rowKey={(s) => `${s.tenant}/${s.client_id}`}
        searchPlaceholder="Search client id"
        empty="No sessions."
        columns={[
          { header: 'Client id', render: (s) => s.client_id },
          { header: 'Tenant', render: (s) => s.tenant },
          {
            header: 'State',
            render: (s) => (
              <Badge color={s.connected ? 'green' : 'gray'}>
                {s.connected ? 'connected' : 'offline'}
              </Badge>
            ),
          },
          { header: 'Persistent', render: (s) => (s.persistent ? 'yes' : 'no') },
          { header: 'Expiry', render: (s) => `${s.expiry_interval_s} s` },
          { header: 'Subs', render: (s) => s.subscriptions },
          { header: 'Queued', render: (s) => s.queued },
          { header: 'Created', render: (s) => formatTime(s.created_ms) },
          {
            header: '',
            render: (s) => (
              <Tooltip label="Delete session">
                <ActionIcon
                  color="red"
                  variant="subtle"
                  aria-label={`delete session ${s.client_id}`}
                  onClick={() =>
                    confirmAction({
                      title: 'Delete session',
                      message: `Delete the session of ${s.client_id}? Its subscriptions and queued messages are lost.`,
                      onConfirm: () => remove.mutate(s),
                    })
                  }
                >
                  ✕
                </ActionIcon>
              </Tooltip>
            ),
          },
        ]}
      />
    </>
  );
}
