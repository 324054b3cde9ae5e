import { Badge, Drawer, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, seg } from '../api/client';
import type { KafkaGroup, KafkaGroupDetail } from '../api/types';
import { EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';

function GroupDetail({ group }: { group: KafkaGroup }) {
  const q = useQuery({
    queryKey: ['kafka-group', group.tenant, group.group],
    queryFn: () =>
      get<KafkaGroupDetail>(`/api/v1/kafka/groups/${seg(group.group)}`, { tenant: group.tenant }),
    refetchInterval: 5000,
  });
  const d = q.data;
  return (
    <Stack>
      <ErrorAlert error={q.error} />
      {d && (
        <>
          <Text size="sm">
            State <b>{d.state}</b>, generation {d.generation}, protocol {d.protocol || '—'}, total
            lag <b>{d.lag}</b>
          </Text>
          <Text fw={600}>Members</Text>
          {d.members.length === 0 ? (
            <EmptyState>No members (the group is empty).</EmptyState>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client id</Table.Th>
                  <Table.Th>Host</Table.Th>
                  <Table.Th>Assignment</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.members.map((m) => (
                  <Table.Tr key={m.member_id}>
                    <Table.Td>{m.client_id}</Table.Td>
                    <Table.Td>{m.client_host}</Table.Td>
                    <Table.Td>
                      {m.assignment
                        .map((a) => `${a.topic}[${(a.partitions ?? []).join(',')}]`)
                        .join(' ')}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text fw={600}>Offsets and lag</Text>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Topic</Table.Th>
                <Table.Th>Partition</Table.Th>
                <Table.Th>Committed</Table.Th>
                <Table.Th>Log end</Table.Th>
                <Table.Th>Lag</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.offsets.map((o) => (
                <Table.Tr key={`${o.topic}/${o.partition}`}>
                  <Table.Td>{o.topic}</Table.Td>
                  <Table.Td>{o.partition}</Table.Td>
                  <Table.Td>{o.committed_offset}</Table.Td>
                  <Table.Td>{o.log_end_offset}</Table.Td>
                  <Table.Td>{o.lag}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}

export function KafkaGroupsPage() {
  const [selected, setSelected] = useState<KafkaGroup | null>(null);
  return (
    <>
      <PageHeader title="Kafka consumer groups" />
      <PagedTable<KafkaGroup>
        path="/api/v1/kafka/groups"
        queryKey="kafka-groups"
        rowKey={(g) => `${g.tenant}/${g.group}`}
        searchPlaceholder="Search group"
        empty="No consumer groups."
        onRowClick={setSelected}
        columns={[
          { header: 'Group', render: (g) => g.group },
          { header: 'Tenant', render: (g) => g.tenant },
          { header: 'State', render: (g) => <Badge variant="light">{g.state}</Badge> },
          { header: 'Members', render: (g) => g.members },
          { header: 'Lag', render: (g) => g.lag },
        ]}
      />
      <Drawer
        opened={selected !== null}
        onClose={() => setSelected(null)}
        title={`Group ${selected?.group ?? ''}`}
        position="right"
        size="xl"
      >
        {selected && <GroupDetail group={selected} />}
      </Drawer>
    </>
  );
}
