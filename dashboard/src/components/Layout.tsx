// The frame of every page after login: navigation on the left, the user and
// logout on top.
import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import { useAuth } from '../api/auth';

export const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/clients', label: 'Clients' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/subscriptions', label: 'Subscriptions' },
  { to: '/topics', label: 'Topics' },
  { to: '/retained', label: 'Retained' },
  { to: '/users', label: 'Users' },
  { to: '/acls', label: 'ACL rules' },
  { to: '/blacklist', label: 'Blacklist' },
  { to: '/kafka-groups', label: 'Kafka groups' },
  { to: '/config', label: 'Config' },
  { to: '/pubsub', label: 'Pub/Sub' },
];

export function Layout() {
  const { session, logout } = useAuth();
  const [opened, { toggle }] = useDisclosure();
  const location = useLocation();
  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" />
            <Text fw={700}>RobustMQ</Text>
          </Group>
          <Group>
            <Text size="sm" c="dimmed" data-testid="current-user">
              {session?.username}
            </Text>
            <Button variant="default" size="xs" onClick={logout}>
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <ScrollArea>
          {NAV.map((n) => (
            <NavLink
              key={n.to}
              component={RouterLink}
              to={n.to}
              label={n.label}
              active={
                n.to === '/' ? location.pathname === '/' : location.pathname.startsWith(n.to)
              }
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
