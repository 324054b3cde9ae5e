// The node's config (GET /api/v1/config); the runtime-changeable keys can be
// edited and are applied with PATCH /api/v1/config (all or nothing).
import { Badge, Button, Card, Group, Select, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, patch } from '../api/client';
import type { ConfigView } from '../api/types';
import { ErrorAlert, notifyOk, PageHeader } from '../components/common';

// The choices of each runtime key (docs/config.md).
const CHOICES: Record<string, string[]> = {
  'log.level': ['trace', 'debug', 'info', 'warn', 'error', 'off'],
  'auth.anonymous': ['allow', 'loopback', 'deny'],
  'auth.acl_default': ['allow', 'deny'],
};

function RuntimeKey({ name, value }: { name: string; value: string }) {
  const qc = useQueryClient();
  const [v, setV] = useState(value);
  const save = useMutation({
    mutationFn: () => patch('/api/v1/config', { [name]: v }),
    onSuccess: () => {
      notifyOk(`${name} = ${v}`);
      qc.invalidateQueries({ queryKey: ['config'] });
    },
  });
  return (
    <Stack gap={4}>
      <Group>
        <Text w={160} ff="monospace">
          {name}
        </Text>
        {CHOICES[name] ? (
          <Select
            data={CHOICES[name]}
            value={v}
            onChange={(x) => setV(x ?? value)}
            w={160}
            aria-label={name}
            allowDeselect={false}
          />
        ) : (
          <Text>{value}</Text>
        )}
        <Button size="xs" disabled={v === value} loading={save.isPending} onClick={() => save.mutate()}>
          Apply
        </Button>
      </Group>
      <ErrorAlert error={save.error} />
    </Stack>
  );
}

export function ConfigPage() {
  const q = useQuery({ queryKey: ['config'], queryFn: () => get<ConfigView>('/api/v1/config') });
  const c = q.data;
  const lookup = (key: string) => {
    const [section, k] = key.split('.');
    return String(c?.config[section]?.[k] ?? '');
  };
  return (
    <Stack>
      <PageHeader title="Config" />
      <ErrorAlert error={q.error} />
      {!c ? (
        <Skeleton height={200} />
      ) : (
        <>
          <Card withBorder>
            <Title order={4} mb="xs">
              Changeable at runtime
            </Title>
            <Stack>
              {c.runtime_changeable.map((k) => (
                <RuntimeKey key={`${k}=${lookup(k)}`} name={k} value={lookup(k)} />
              ))}
            </Stack>
          </Card>
          {Object.entries(c.config).map(([section, keys]) => (
            <Card withBorder key={section}>
              <Title order={4} mb="xs">
                [{section}]
              </Title>
              <Table>
                <Table.Tbody>
                  {Object.entries(keys).map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Td w={280} ff="monospace">
                        {k}
                        {c.runtime_changeable.includes(`${section}.${k}`) && (
                          <Badge size="xs" ml="xs">
                            runtime
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td ff="monospace">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
          ))}
          <Text size="xs" c="dimmed">
            Other keys are read from the config file and the ROBUSTMQ_* environment at start.
          </Text>
        </>
      )}
    </Stack>
  );
}
