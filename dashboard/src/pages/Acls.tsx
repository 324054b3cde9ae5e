import { ActionIcon, Alert, Badge, Button, Card, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, post, seg } from '../api/client';
import type { AclDecision, AclRule } from '../api/types';
import { confirmAction, ErrorAlert, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';

function CreateRule({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState({
    name: '',
    tenant: 'default',
    priority: 1000 as number | string,
    resource_type: 'all',
    resource_name: '',
    topic: '#',
    ip: '',
    action: 'all',
    permission: 'allow',
  });
  const set = (k: keyof typeof f) => (v: string | number | null) => setF({ ...f, [k]: v ?? '' });
  const create = useMutation({
    mutationFn: () => post('/api/v1/acls', { ...f, priority: Number(f.priority) }),
    onSuccess: () => {
      notifyOk(`ACL rule ${f.name} created`);
      qc.invalidateQueries({ queryKey: ['acls'] });
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
        <TextInput label="Name" value={f.name} onChange={(e) => set('name')(e.currentTarget.value)} required />
        <SimpleGrid cols={2}>
          <TextInput label="Tenant" value={f.tenant} onChange={(e) => set('tenant')(e.currentTarget.value)} />
          <NumberInput label="Priority (lower first)" value={f.priority} onChange={set('priority')} />
          <Select label="Applies to" data={['all', 'client_id', 'username']} value={f.resource_type} onChange={set('resource_type')} allowDeselect={false} />
          <TextInput
            label="Client id / user name"
            value={f.resource_name}
            onChange={(e) => set('resource_name')(e.currentTarget.value)}
            disabled={f.resource_type === 'all'}
          />
          <TextInput label="Topic filter" value={f.topic} onChange={(e) => set('topic')(e.currentTarget.value)} />
          <TextInput label="IP or CIDR (empty = any)" value={f.ip} onChange={(e) => set('ip')(e.currentTarget.value)} />
          <Select label="Action" data={['all', 'publish', 'subscribe', 'retain']} value={f.action} onChange={set('action')} allowDeselect={false} />
          <Select label="Permission" data={['allow', 'deny']} value={f.permission} onChange={set('permission')} allowDeselect={false} />
        </SimpleGrid>
        <Button type="submit" loading={create.isPending}>
          Create rule
        </Button>
      </Stack>
    </form>
  );
}

function AclTester() {
  const [f, setF] = useState({
    tenant: 'default',
    username: '',
    client_id: '',
    ip: '127.0.0.1',
    action: 'publish',
    topic: '',
    retain: false,
  });
  const check = useMutation({
    mutationFn: () => post<AclDecision>('/api/v1/acls/check', f),
  });
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Tester
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          check.mutate();
        }}
      >
        <Stack gap="xs">
          <Group grow>
            <TextInput label="Client id" value={f.client_id} onChange={(e) => setF({ ...f, client_id: e.currentTarget.value })} required />
            <TextInput label="User name" placeholder="anonymous" value={f.username} onChange={(e) => setF({ ...f, username: e.currentTarget.value })} />
            <TextInput label="Tenant" value={f.tenant} onChange={(e) => setF({ ...f, tenant: e.currentTarget.value })} />
          </Group>
          <Group grow>
            <Select label="Action" data={['publish', 'subscribe']} value={f.action} onChange={(v) => setF({ ...f, action: v ?? 'publish' })} allowDeselect={false} />
            <TextInput label="Topic" value={f.topic} onChange={(e) => setF({ ...f, topic: e.currentTarget.value })} required />
            <TextInput label="IP" value={f.ip} onChange={(e) => setF({ ...f, ip: e.currentTarget.value })} />
          </Group>
          <Group>
            <Checkbox label="retain" checked={f.retain} onChange={(e) => setF({ ...f, retain: e.currentTarget.checked })} />
            <Button type="submit" loading={check.isPending}>
              Check
            </Button>
          </Group>
          <ErrorAlert error={check.error} />
          {check.data && (
            <Alert color={check.data.allowed ? 'green' : 'red'} data-testid="acl-decision">
              {check.data.allowed ? 'Allowed' : 'Denied'}
              {check.data.superuser && ' (superuser: ACLs do not apply)'}
            </Alert>
          )}
        </Stack>
      </form>
    </Card>
  );
}

export function AclsPage() {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const remove = useMutation({
    mutationFn: (a: AclRule) => del(`/api/v1/acls/${seg(a.name)}`, { tenant: a.tenant }),
    onSuccess: (_, a) => {
      notifyOk(`ACL rule ${a.name} deleted`);
      qc.invalidateQueries({ queryKey: ['acls'] });
    },
    onError: notifyError,
  });
  return (
    <Stack>
      <PageHeader title="ACL rules">
        <Button onClick={() => setCreating(true)}>Create rule</Button>
      </PageHeader>
      <PagedTable<AclRule>
        path="/api/v1/acls"
        queryKey="acls"
        rowKey={(a) => `${a.tenant}/${a.name}`}
        searchPlaceholder="Search rule name"
        empty="No ACL rules: the default decision (auth.acl_default) applies."
        columns={[
          { header: 'Name', render: (a) => a.name },
          { header: 'Tenant', render: (a) => a.tenant },
          { header: 'Priority', render: (a) => a.priority },
          { header: 'Applies to', render: (a) => (a.resource_type === 'all' ? 'everyone' : `${a.resource_type} ${a.resource_name}`) },
          { header: 'Topic', render: (a) => a.topic },
          { header: 'IP', render: (a) => a.ip || 'any' },
          { header: 'Action', render: (a) => a.action },
          {
            header: 'Permission',
            render: (a) => <Badge color={a.permission === 'allow' ? 'green' : 'red'}>{a.permission}</Badge>,
          },
          {
            header: '',
            render: (a) => (
              <ActionIcon
                color="red"
                variant="subtle"
                aria-label={`delete rule ${a.name}`}
                onClick={() =>
                  confirmAction({
                    title: 'Delete ACL rule',
                    message: `Delete rule ${a.name}?`,
                    onConfirm: () => remove.mutate(a),
                  })
                }
              >
                ✕
              </ActionIcon>
            ),
          },
        ]}
      />
      <AclTester />
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create ACL rule" size="lg">
        <CreateRule onDone={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}
