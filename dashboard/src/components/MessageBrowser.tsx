// Recent records of one topic partition (GET /api/v1/messages), newest page
// first, with older/newer paging by offset and each payload as text/JSON/hex.
import { Accordion, Badge, Button, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api/client';
import type { MessagePage } from '../api/types';
import { formatTime } from '../lib/format';
import { EmptyState, ErrorAlert } from './common';
import { PayloadView } from './PayloadView';

export function MessageBrowser({
  topic,
  tenant,
  partitions,
}: {
  topic: string;
  tenant: string;
  partitions: number;
}) {
  const [partition, setPartition] = useState('0');
  const [offset, setOffset] = useState<number | null>(null);
  const [limit, setLimit] = useState('20');
  const q = useQuery({
    queryKey: ['messages', tenant, topic, partition, offset, limit],
    queryFn: () =>
      get<MessagePage>('/api/v1/messages', {
        topic,
        tenant,
        partition,
        offset: offset ?? undefined,
        limit,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: offset === null ? 5000 : false,
  });
  const page = q.data;
  const msgs = page?.messages ?? [];
  const n = Number(limit);
  return (
    <Stack>
      <Group align="end">
        <Select
          label="Partition"
          w={110}
          data={Array.from({ length: Math.max(1, partitions) }, (_, i) => String(i))}
          value={partition}
          onChange={(v) => {
            setPartition(v ?? '0');
            setOffset(null);
          }}
          allowDeselect={false}
        />
        <NumberInput
          label="From offset"
          w={140}
          min={0}
          placeholder="newest"
          value={offset ?? ''}
          onChange={(v) => setOffset(v === '' ? null : Number(v))}
        />
        <Select
          label="Messages"
          w={100}
          data={['10', '20', '50', '100']}
          value={limit}
          onChange={(v) => setLimit(v ?? '20')}
          allowDeselect={false}
        />
        <Button
          variant="default"
          disabled={!page || msgs.length === 0 || msgs[0].offset <= page.earliest_offset}
          onClick={() => msgs.length && setOffset(Math.max(0, msgs[0].offset - n))}
        >
          Older
        </Button>
        <Button
          variant="default"
          disabled={offset === null}
          onClick={() => {
            const last = msgs[msgs.length - 1];
            if (!last || !page || last.offset + 1 >= page.next_offset) setOffset(null);
            else setOffset(last.offset + 1);
          }}
        >
          Newer
        </Button>
        <Button variant="subtle" onClick={() => setOffset(null)}>
          Newest
        </Button>
      </Group>
      {page && (
        <Text size="xs" c="dimmed">
          {page.shard ? `shard ${page.shard}, ` : ''}offsets {page.earliest_offset} ..{' '}
          {page.next_offset - 1}
          {page.mqtt && ' — MQTT topic: QoS 1/2 messages only, searched in the shared MQTT shards'}
        </Text>
      )}
      <ErrorAlert error={q.error} />
      {page && msgs.length === 0 ? (
        <EmptyState>No stored messages here.</EmptyState>
      ) : (
        <Accordion multiple variant="separated" data-testid="messages">
          {msgs.map((m) => (
            <Accordion.Item key={m.offset} value={String(m.offset)}>
              <Accordion.Control>
                <Group gap="sm" wrap="nowrap">
                  <Badge variant="light">#{m.offset}</Badge>
                  <Text size="sm" c="dimmed">
                    {formatTime(m.timestamp_ms)}
                  </Text>
                  {m.key && (
                    <Text size="sm" truncate maw={240}>
                      key {m.key_encoding === 'text' ? m.key : '(binary)'}
                    </Text>
                  )}
                  <Text size="sm" truncate maw={420} data-testid="message-preview">
                    {m.payload_encoding === 'text' ? m.payload : `(${m.size} binary bytes)`}
                  </Text>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <Stack gap="xs">
                  <PayloadView data={m.payload} encoding={m.payload_encoding} />
                  {m.headers.length > 0 && (
                    <Text size="xs" c="dimmed">
                      headers:{' '}
                      {m.headers
                        .map((h) => `${h.key}=${h.value_encoding === 'text' ? h.value : '(binary)'}`)
                        .join(', ')}
                    </Text>
                  )}
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
    </Stack>
  );
}
