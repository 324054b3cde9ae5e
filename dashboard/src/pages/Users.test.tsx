import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders, stubFetch } from '../test/render';
import { UsersPage } from './Users';

const users = {
  items: [{ tenant: 'default', username: 'alice', superuser: false, created_ms: 1 }],
  page: 1,
  limit: 20,
  total: 1,
};

describe('UsersPage', () => {
  it('deletes a user only after confirmation', async () => {
    const calls = stubFetch((_, init) => (init?.method === 'DELETE' ? { status: 204 } : { body: users }));
    renderWithProviders(<UsersPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'delete user alice' }));
    expect(await screen.findByText(/Delete user alice of tenant default\?/)).toBeInTheDocument();
    expect(calls.some((c) => c.init?.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByTestId('confirm-button'));
    await waitFor(() => {
      const del = calls.find((c) => c.init?.method === 'DELETE');
      expect(del?.url.pathname).toBe('/api/v1/users/alice');
      expect(del?.url.searchParams.get('tenant')).toBe('default');
    });
  });

  it('creates a user with a password and the superuser flag', async () => {
    const calls = stubFetch((_, init) =>
      init?.method === 'POST' ? { status: 201, body: users.items[0] } : { body: users },
    );
    renderWithProviders(<UsersPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Create user' }));
    await userEvent.type(await screen.findByRole('textbox', { name: /^User name/ }), 'bob');
    await userEvent.type(screen.getByLabelText(/^Password/), 'pw-123456');
    await userEvent.click(screen.getByRole('checkbox', { name: /Superuser/ }));
    const buttons = screen.getAllByRole('button', { name: 'Create user' });
    await userEvent.click(buttons[buttons.length - 1]);
    await waitFor(() => {
      const post = calls.find((c) => c.init?.method === 'POST');
      expect(JSON.parse(String(post?.init?.body))).toEqual({
        username: 'bob',
        password: 'pw-123456',
        tenant: 'default',
        superuser: true,
      });
    });
  });
});
