// Small shared pieces: error and empty states, confirmation of destructive
// actions, and the notifications every mutation reports through.
import { Alert, Center, Stack, Text, Title, Group } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

export function ErrorAlert({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" data-testid="error-alert">
      {errorMessage(error)}
    </Alert>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <Center py="xl" data-testid="empty-state">
      <Text c="dimmed">{children}</Text>
    </Center>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="nowrap">
      <Title order={2}>{title}</Title>
      <Group gap="sm">{children}</Group>
    </Group>
  );
}

export function confirmAction(opts: {
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
}) {
  modals.openConfirmModal({
    title: opts.title,
    children: (
      <Stack>
        <Text size="sm">{opts.message}</Text>
      </Stack>
    ),
    labels: { confirm: opts.confirmLabel ?? 'Delete', cancel: 'Cancel' },
    confirmProps: { color: 'red', 'data-testid': 'confirm-button' },
    onConfirm: opts.onConfirm,
  });
}

export function notifyOk(message: string) {
  notifications.show({ color: 'green', message });
}

export function notifyError(e: unknown) {
  notifications.show({ color: 'red', title: 'Request failed', message: errorMessage(e) });
}
