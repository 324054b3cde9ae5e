import { Badge, Button, Drawer, Stack, Table } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, get, seg } from '../api/client';
import type { Client, Page, Subscription } from '../api/types';
import { confirmAction, ErrorAlert, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { formatTime } from '../lib/format';

function ClientDetail({ client, onKicked }: { client: Client; onKicked: () => void }) {
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: ['client', client.tenant, client.client_id],
    queryFn: () =>
      get<Client>(`/api/v1/clients/${seg(client.client_id)}`, { tenant: client.tenant }),
    refetchInterval: 5000,
  });
  const subs = useQuery({
    queryKey: ['client-subs', client.tenant, client.client_id],
    queryFn: () =>
      get<Page<Subscription>>('/api/v1/subscriptions', {
        client_id: client.client_id,
        tenant: client.tenant,
        limit: 100,
      }),
  });
  const kick = useMutation({
    mutationFn: () => del(`/api/v1/clients/${seg(client.client_id)}`, { tenant: client.tenant }),
    onSuccess: () => {
      notifyOk(`Client ${client.client_id} disconnected`);
      qc.invalidateQueries({ queryKey: ['clients'] });
      onKicked();
    },
    onError: notifyError,
  });
  const c = detail.data ?? client;
  const rows: [string, React.ReactNode][] = [
    ['Client id', c.client_id],
    ['Tenant', c.tenant],
    ['User name', c.username || '—'],
    ['Peer', c.peer],
    ['Listener', c.listener],
    ['Protocol', `MQTT ${c.protocol_version === 5 ? '5' : c.protocol_version === 4 ? '3.1.1' : c.protocol_version}`],
    ['Keep alive', `${c.keep_alive_s} s`],
    ['Clean start', String(c.clean_start)],
    ['Connected at', formatTime(c.connected_at_ms)],
    ['Inflight / queued', `${c.inflight} / ${c.queued}`],
  ];
  return (
    <Stack>
      <ErrorAlert error={detail.error} />
      <Table>
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Td fw={600}>{k}</Table.Td>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <div>
        <b>Subscriptions</b>
        {subs.data?.items.length ? (
          <Table>
            <Table.Tbody>
              {subs.data.items.map((s) => (
                <Table.Tr key={s.filter}>
                  <Table.Td>{s.filter}</Table.Td>
                  <Table.Td>QoS {s.qos}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <div>none</div>
        )}
      </div>
      <Button
        color="red"
        loading={kick.isPending}
        onClick={() =>
          confirmAction({
            title: 'Disconnect client',
            message: `Disconnect ${c.client_id}? It may reconnect.`,
            confirmLabel: 'Disconnect',
            onConfirm: () => kick.mutate(),
          })
        }
      >
        Kick client
      </Button>
    </Stack>
  );
}

export function ClientsPage() {
  const [selected, setSelected] = useState<Client | null>(null);
  return (
    <>
      <PageHeader title="Clients" />
      <PagedTable<Client>
        path="/api/v1/clients"
        queryKey="clients"
        rowKey={(c) => `${c.tenant}/${c.client_id}`}
        searchPlaceholder="Search client id"
        empty="No client is connected."
        onRowClick={setSelected}
        columns={[
          { header: 'Client id', render: (c) => c.client_id },
          { header: 'User', render: (c) => c.username || '—' },
          { header: 'Tenant', render: (c) => c.tenant },
          { header: 'Peer', render: (c) => c.peer },
          { header: 'Listener', render: (c) => <Badge variant="light">{c.listener}</Badge> },
          { header: 'Subs', render: (c) => c.subscriptions },
          { header: 'Connected', render: (c) => formatTime(c.connected_at_ms) },
        ]}
      />
      <Drawer
        opened={selected !== null}
        onClose={() => setSelected(null)}
        title={`Client ${selected?.client_id ?? ''}`}
        position="right"
        size="lg"
      >
        {selected && <ClientDetail client={selected} onKicked={() => setSelected(null)} />}
      </Drawer>
    </>
  );
}
