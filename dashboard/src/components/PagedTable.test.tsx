import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithProviders, stubFetch } from '../test/render';
import { PagedTable } from './PagedTable';

interface Row {
  name: string;
}

const columns = [{ header: 'Name', render: (r: Row) => r.name }];

describe('PagedTable', () => {
  it('asks the server for a page and shows its rows and total', async () => {
    const calls = stubFetch((url) => ({
      body: {
        items: [{ name: `row-${url.searchParams.get('page')}` }],
        page: Number(url.searchParams.get('page')),
        limit: 20,
        total: 41,
      },
    }));
    renderWithProviders(
      <PagedTable<Row> path="/api/v1/users" queryKey="t1" columns={columns} rowKey={(r) => r.name} />,
    );
    expect(await screen.findByText('row-1')).toBeInTheDocument();
    expect(screen.getByTestId('total').textContent).toBe('41 total');
    expect(calls[0].url.pathname).toBe('/api/v1/users');
    expect(calls[0].url.searchParams.get('limit')).toBe('20');
    // 41 rows at 20 a page: 3 pages; page 3 is asked of the server.
    await userEvent.click(screen.getByRole('button', { name: '3' }));
    expect(await screen.findByText('row-3')).toBeInTheDocument();
    expect(calls.at(-1)!.url.searchParams.get('page')).toBe('3');
  });

  it('sends the search as ?name= and starts again at page 1', async () => {
    const calls = stubFetch(() => ({ body: { items: [], page: 1, limit: 20, total: 0 } }));
    renderWithProviders(
      <PagedTable<Row>
        path="/api/v1/topics"
        queryKey="t2"
        columns={columns}
        rowKey={(r) => r.name}
        empty="No topics here."
      />,
    );
    expect(await screen.findByText('No topics here.')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('search'), 'sens');
    await waitFor(() => expect(calls.at(-1)!.url.searchParams.get('name')).toBe('sens'));
    expect(calls.at(-1)!.url.searchParams.get('page')).toBe('1');
  });

  it("shows the API's error message", async () => {
    stubFetch(() => ({
      status: 400,
      body: { error: { code: 'bad_request', message: 'limit must be 1..1000', field: 'limit' } },
    }));
    renderWithProviders(
      <PagedTable<Row> path="/api/v1/users" queryKey="t3" columns={columns} rowKey={(r) => r.name} />,
    );
    const alert = await screen.findByTestId('error-alert');
    expect(alert.textContent).toContain('limit must be 1..1000 (field: limit)');
  });
});
