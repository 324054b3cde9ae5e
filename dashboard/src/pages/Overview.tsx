// Counts, rates with live charts from GET /api/v1/overview/history (a sample
// every 10 s), node info and uptime.
import { Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { get } from '../api/client';
import type { ClusterNode, History, Overview } from '../api/types';
import { ErrorAlert, PageHeader } from '../components/common';
import { formatBytes, formatDuration, formatRate, formatTime } from '../lib/format';

function Stat({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

function Chart({
  title,
  data,
  lines,
}: {
  title: string;
  data: Record<string, number | string>[];
  lines: { key: string; name: string; color: string }[];
}) {
  return (
    <Card withBorder padding="sm">
      <Text fw={600} mb="xs">
        {title}
      </Text>
      <div style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="time" minTickGap={40} fontSize={11} />
            <YAxis fontSize={11} width={48} allowDecimals />
            <Tooltip />
            <Legend />
            {lines.map((l) => (
              <Line
                key={l.key}
                type="linear"
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

export function OverviewPage() {
  const ov = useQuery({
    queryKey: ['overview'],
    queryFn: () => get<Overview>('/api/v1/overview'),
    refetchInterval: 2000,
  });
  const hist = useQuery({
    queryKey: ['history'],
    queryFn: () => get<History>('/api/v1/overview/history', { minutes: 60 }),
    refetchInterval: 10000,
  });
  const cluster = useQuery({
    queryKey: ['cluster'],
    queryFn: () => get<{ cluster: string; nodes: ClusterNode[] }>('/api/v1/cluster'),
    refetchInterval: 30000,
  });
  const o = ov.data;
  const points = (hist.data?.points ?? []).map((p) => ({
    time: new Date(p.time_ms).toLocaleTimeString(),
    connections: p.connections,
    sessions: p.sessions,
    in: Number(p.messages_in_rate.toFixed(2)),
    out: Number(p.messages_out_rate.toFixed(2)),
    dropped: Number(p.messages_dropped_rate.toFixed(2)),
    bytesIn: Math.round(p.bytes_in_rate),
    bytesOut: Math.round(p.bytes_out_rate),
  }));
  return (
    <Stack>
      <PageHeader title="Overview" />
      <ErrorAlert error={ov.error} />
      {!o ? (
        <Skeleton height={160} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4, lg: 6 }}>
            <Stat label="Connections" value={o.connections} testId="stat-connections" />
            <Stat label="Sessions" value={o.sessions} testId="stat-sessions" />
            <Stat label="Subscriptions" value={o.subscriptions} testId="stat-subscriptions" />
            <Stat label="Topics" value={o.topics} testId="stat-topics" />
            <Stat label="Retained" value={o.retained} testId="stat-retained" />
            <Stat label="Users" value={o.users} testId="stat-users" />
            <Stat label="Messages in" value={formatRate(o.rates.messages_in)} testId="rate-in" />
            <Stat label="Messages out" value={formatRate(o.rates.messages_out)} testId="rate-out" />
            <Stat label="Total in" value={o.totals.messages_in} testId="total-in" />
            <Stat label="Total out" value={o.totals.messages_out} testId="total-out" />
            <Stat label="Bytes in" value={formatBytes(o.totals.bytes_in)} testId="bytes-in" />
            <Stat label="Dropped" value={o.totals.messages_dropped} testId="dropped" />
          </SimpleGrid>
          <ErrorAlert error={hist.error} />
          <Text size="xs" c="dimmed">
            Charts: one point every {hist.data?.interval_s ?? 10} s over the last hour
            {points.length === 0 && ' — the first point appears after one interval'}.
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Chart
              title="Messages per second"
              data={points}
              lines={[
                { key: 'in', name: 'in', color: '#228be6' },
                { key: 'out', name: 'out', color: '#40c057' },
                { key: 'dropped', name: 'dropped', color: '#fa5252' },
              ]}
            />
            <Chart
              title="Connections and sessions"
              data={points}
              lines={[
                { key: 'connections', name: 'connections', color: '#7950f2' },
                { key: 'sessions', name: 'sessions', color: '#fd7e14' },
              ]}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder padding="sm">
              <Title order={4} mb="xs">
                Node
              </Title>
              <Table>
                <Table.Tbody>
                  <Table.Tr>
                    <Table.Td>Node id</Table.Td>
                    <Table.Td>{o.node_id}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Td>Version</Table.Td>
                    <Table.Td data-testid="version">{o.version}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Td>Uptime</Table.Td>
                    <Table.Td data-testid="uptime">{formatDuration(o.uptime_s)}</Table.Td>
                  </Table.Tr>
                  {cluster.data?.nodes.map((n) => (
                    <Table.Tr key={n.id}>
                      <Table.Td>Started</Table.Td>
                      <Table.Td>
                        {formatTime(n.start_time_ms)} · {n.status} · {n.roles.join(', ')}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  <Table.Tr>
                    <Table.Td>ACL rules / blacklist</Table.Td>
                    <Table.Td>
                      {o.acl_rules} / {o.blacklist}
                    </Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder padding="sm">
              <Title order={4} mb="xs">
                Listeners
              </Title>
              <Table>
                <Table.Tbody>
                  {o.listeners.map((l) => (
                    <Table.Tr key={l.name}>
                      <Table.Td>{l.name}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {l.address}:{l.port}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
