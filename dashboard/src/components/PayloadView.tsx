// One payload (or key) shown as text, JSON or hex; opens in the most
// readable view the bytes allow.
import { Code, Group, SegmentedControl, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { Encoding } from '../api/types';
import { asJson, asText, defaultMode, hexDump, toBytes, type PayloadMode } from '../lib/payload';

export function PayloadView({ data, encoding }: { data: string | null; encoding: Encoding }) {
  const bytes = useMemo(() => toBytes(data, encoding), [data, encoding]);
  const text = useMemo(() => asText(bytes), [bytes]);
  const json = useMemo(() => asJson(text), [text]);
  const [mode, setMode] = useState<PayloadMode>(() => defaultMode(bytes));
  if (data === null) return <Text c="dimmed">null</Text>;
  const shown =
    mode === 'hex'
      ? hexDump(bytes)
      : mode === 'json'
        ? (json ?? 'not JSON')
        : (text ?? 'not UTF-8 text: see hex');
  return (
    <div>
      <Group gap="xs" mb={4}>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v as PayloadMode)}
          data={[
            { label: 'Text', value: 'text', disabled: text === null },
            { label: 'JSON', value: 'json', disabled: json === null },
            { label: 'Hex', value: 'hex' },
          ]}
          aria-label="payload view"
        />
        <Text size="xs" c="dimmed">
          {bytes.length} bytes
        </Text>
      </Group>
      <Code block data-testid="payload" style={{ maxHeight: 320, overflow: 'auto' }}>
        {shown}
      </Code>
    </div>
  );
}
