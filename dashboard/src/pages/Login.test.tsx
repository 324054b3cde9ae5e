import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Route, Routes } from 'react-router-dom';
import { renderWithProviders, stubFetch } from '../test/render';
import { LoginPage } from './Login';

function app() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/" element={<div>home page</div>} />
    </Routes>
  );
}

describe('LoginPage', () => {
  it("shows the server's reason when the login fails", async () => {
    stubFetch(() => ({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'wrong user name or password' } },
    }));
    renderWithProviders(app(), { route: '/login' });
    await userEvent.type(screen.getByLabelText(/Password/), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByTestId('login-error')).textContent).toBe(
      'wrong user name or password',
    );
    expect(sessionStorage.getItem('robustmq.token')).toBeNull();
  });

  it('keeps the token and goes on after a successful login', async () => {
    const calls = stubFetch(() => ({
      body: { token: 'tok123', username: 'admin', expires_at_ms: Date.now() + 3600_000 },
    }));
    renderWithProviders(app(), { route: '/login' });
    await userEvent.type(screen.getByLabelText(/Password/), 'secret');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('home page')).toBeInTheDocument();
    expect(sessionStorage.getItem('robustmq.token')).toBe('tok123');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({
      username: 'admin',
      password: 'secret',
    });
  });
});
