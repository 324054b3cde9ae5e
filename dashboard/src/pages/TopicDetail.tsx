import { Anchor, Card, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { get, seg } from '../api/client';
import type { TopicDetail } from '../api/types';
import { ErrorAlert } from '../components/common';
import { MessageBrowser } from '../components/MessageBrowser';
import { formatTime } from '../lib/format';

export function TopicDetailPage() {
  const { name = '' } = useParams();
  const [params] = useSearchParams();
  const tenant = params.get('tenant') ?? 'default';
  const q = useQuery({
    queryKey: ['topic', tenant, name],
    queryFn: () => get<TopicDetail>(`/api/v1/topics/${seg(name)}`, { tenant }),
    refetchInterval: 5000,
  });
  const t = q.data;
  return (
    <Stack>
      <Anchor component={Link} to="/topics" size="sm">
        ← Topics
      </Anchor>
      <Title order={2}>Topic {name}</Title>
      <ErrorAlert error={q.error} />
      {!t ? (
        !q.error && <Skeleton height={120} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Table>
                <Table.Tbody>
                  {(
                    [
                      ['Tenant', t.tenant],
                      ['Kind', t.mqtt ? 'MQTT (shared shards)' : 'kernel topic'],
                      ['Partitions', t.partitions],
                      ['Storage', t.storage],
                      ['Durability', t.durability],
                      ['Retention', t.retention_ms ? `${t.retention_ms} ms` : 'unlimited'],
                      ['Retention bytes', t.retention_bytes || 'unlimited'],
                      ['Retained message', t.retained ? 'yes' : 'no'],
                      ['Created', formatTime(t.created_ms)],
                    ] as [string, React.ReactNode][]
                  ).map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Td fw={600}>{k}</Table.Td>
                      <Table.Td>{v}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder>
              <Text fw={600} mb="xs">
                Partitions
              </Text>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Shard</Table.Th>
                    <Table.Th>Earliest</Table.Th>
                    <Table.Th>Next</Table.Th>
                    <Table.Th>Records</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {t.shards.map((s) => (
                    <Table.Tr key={s.partition}>
                      <Table.Td>{s.partition}</Table.Td>
                      <Table.Td>{s.shard ?? 'shared'}</Table.Td>
                      <Table.Td>{s.earliest_offset}</Table.Td>
                      <Table.Td>{s.next_offset}</Table.Td>
                      <Table.Td>{s.records}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          </SimpleGrid>
          <Title order={3}>Messages</Title>
          <MessageBrowser topic={t.name} tenant={t.tenant} partitions={t.partitions} />
        </>
      )}
    </Stack>
  );
}
