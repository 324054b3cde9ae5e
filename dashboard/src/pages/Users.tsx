import { ActionIcon, Badge, Button, Checkbox, Group, Modal, PasswordInput, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, patch, post, seg } from '../api/client';
import type { User } from '../api/types';
import { confirmAction, ErrorAlert, notifyError, notifyOk, PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';
import { formatTime } from '../lib/format';

function CreateUser({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('default');
  const [superuser, setSuperuser] = useState(false);
  const create = useMutation({
    mutationFn: () => post('/api/v1/users', { username, password, tenant, superuser }),
    onSuccess: () => {
      notifyOk(`User ${username} created`);
      qc.invalidateQueries({ queryKey: ['users'] });
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
        <TextInput label="User name" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required />
        <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
        <TextInput label="Tenant" value={tenant} onChange={(e) => setTenant(e.currentTarget.value)} />
        <Checkbox
          label="Superuser (bypasses ACLs; of tenant default: may use this dashboard)"
          checked={superuser}
          onChange={(e) => setSuperuser(e.currentTarget.checked)}
        />
        <Button type="submit" loading={create.isPending}>
          Create user
        </Button>
      </Stack>
    </form>
  );
}

export function UsersPage() {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const remove = useMutation({
    mutationFn: (u: User) => del(`/api/v1/users/${seg(u.username)}`, { tenant: u.tenant }),
    onSuccess: (_, u) => {
      notifyOk(`User ${u.username} deleted`);
      qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: notifyError,
  });
  const setSuper = useMutation({
    mutationFn: (u: User) =>
      patch(`/api/v1/users/${seg(u.username)}`, { superuser: !u.superuser }, { tenant: u.tenant }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
    onError: notifyError,
  });
  return (
    <>
      <PageHeader title="Users">
        <Button onClick={() => setCreating(true)}>Create user</Button>
      </PageHeader>
      <PagedTable<User>
        path="/api/v1/users"
        queryKey="users"
        rowKey={(u) => `${u.tenant}/${u.username}`}
        searchPlaceholder="Search user name"
        empty="No users."
        columns={[
          { header: 'User name', render: (u) => u.username },
          { header: 'Tenant', render: (u) => u.tenant },
          {
            header: 'Superuser',
            render: (u) => (
              <Group gap="xs">
                <Switch
                  checked={u.superuser}
                  aria-label={`superuser ${u.username}`}
                  onChange={() =>
                    confirmAction({
                      title: u.superuser ? 'Remove superuser' : 'Make superuser',
                      message: `${u.superuser ? 'Remove superuser rights from' : 'Give superuser rights to'} ${u.username}?`,
                      confirmLabel: 'Change',
                      onConfirm: () => setSuper.mutate(u),
                    })
                  }
                />
                {u.superuser && <Badge size="xs">superuser</Badge>}
              </Group>
            ),
          },
          { header: 'Created', render: (u) => formatTime(u.created_ms) },
          {
            header: '',
            render: (u) => (
              <ActionIcon
                color="red"
                variant="subtle"
                aria-label={`delete user ${u.username}`}
                onClick={() =>
                  confirmAction({
                    title: 'Delete user',
                    message: `Delete user ${u.username} of tenant ${u.tenant}? Its tokens stop working.`,
                    onConfirm: () => remove.mutate(u),
                  })
                }
              >
                ✕
              </ActionIcon>
            ),
          },
        ]}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create user">
        <CreateUser onDone={() => setCreating(false)} />
      </Modal>
    </>
  );
}
