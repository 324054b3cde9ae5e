import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders, stubFetch } from '../test/render';
import { MessageBrowser } from './MessageBrowser';

function message(offset: number, payload: string) {
  return {
    offset,
    timestamp_ms: 1_700_000_000_000 + offset,
    key: null,
    key_encoding: 'text',
    headers: [{ key: 'mqtt.qos', value: '1', value_encoding: 'text' }],
    payload,
    payload_encoding: 'text',
    size: payload.length,
  };
}

describe('MessageBrowser', () => {
  it('shows the newest page and pages back by offset', async () => {
    const calls = stubFetch((url) => {
      const offset = url.searchParams.get('offset');
      const first = offset === null ? 40 : Number(offset);
      return {
        body: {
          tenant: 'default',
          topic: 'orders',
          partition: Number(url.searchParams.get('partition')),
          mqtt: false,
          shard: 'topic/default/orders/0',
          earliest_offset: 0,
          next_offset: 50,
          messages: Array.from({ length: 10 }, (_, i) => message(first + i, `m${first + i}`)),
        },
      };
    });
    renderWithProviders(<MessageBrowser topic="orders" tenant="default" partitions={2} />);
    expect((await screen.findAllByText('m49')).length).toBeGreaterThan(0);
    const firstCall = calls[0].url.searchParams;
    expect(firstCall.get('topic')).toBe('orders');
    expect(firstCall.get('partition')).toBe('0');
    expect(firstCall.has('offset')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    // 20 per page from the oldest shown (40): offset 20.
    await waitFor(() => expect(calls.at(-1)!.url.searchParams.get('offset')).toBe('20'));
    expect((await screen.findAllByText('m20')).length).toBeGreaterThan(0);
  });

  it('says so when nothing is stored, and shows API errors', async () => {
    stubFetch(() => ({
      body: {
        tenant: 'default',
        topic: 't',
        partition: 0,
        mqtt: true,
        shard: '',
        earliest_offset: 0,
        next_offset: 0,
        messages: [],
      },
    }));
    renderWithProviders(<MessageBrowser topic="t" tenant="default" partitions={1} />);
    expect(await screen.findByTestId('empty-state')).toHaveTextContent('No stored messages');
    expect(screen.getByText(/QoS 1\/2 messages only/)).toBeInTheDocument();
  });

  it("shows the server's error", async () => {
    stubFetch(() => ({
      status: 404,
      body: { error: { code: 'not_found', message: "no topic 'gone' in tenant default" } },
    }));
    renderWithProviders(<MessageBrowser topic="gone" tenant="default" partitions={1} />);
    expect(await screen.findByTestId('error-alert')).toHaveTextContent("no topic 'gone'");
  });
});
