// A table of one list endpoint, paginated and filtered by the server
// (`?page=&limit=&name=`, answer {items,page,limit,total}).
import { Group, Pagination, ScrollArea, Select, Skeleton, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { get, type Query } from '../api/client';
import type { Page } from '../api/types';
import { EmptyState, ErrorAlert } from './common';

export interface Column<T> {
  header: string;
  render: (row: T) => ReactNode;
}

export function PagedTable<T>(props: {
  path: string;
  queryKey: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  searchPlaceholder?: string;
  extraQuery?: Query;
  empty?: ReactNode;
  refetchIntervalMs?: number;
  onRowClick?: (row: T) => void;
}) {
  const [page, setPage] = useState(1);
  const [limit, setLimit] = useState('20');
  const [name, setName] = useState('');
  const [debounced] = useDebouncedValue(name, 300);
  const q = useQuery({
    queryKey: [props.queryKey, page, limit, debounced, props.extraQuery],
    queryFn: () =>
      get<Page<T>>(props.path, { page, limit, name: debounced, ...(props.extraQuery ?? {}) }),
    placeholderData: keepPreviousData,
    refetchInterval: props.refetchIntervalMs ?? 5000,
  });
  const total = q.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / Number(limit)));
  return (
    <div>
      <Group mb="sm" justify="space-between">
        <TextInput
          placeholder={props.searchPlaceholder ?? 'Search by name'}
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            setPage(1);
          }}
          w={320}
          aria-label="search"
        />
        <Text size="sm" c="dimmed" data-testid="total">
          {total} total
        </Text>
      </Group>
      <ErrorAlert error={q.error} />
      {q.isLoading ? (
        <Skeleton height={120} />
      ) : q.data && q.data.items.length === 0 ? (
        <EmptyState>{props.empty ?? 'Nothing here yet.'}</EmptyState>
      ) : q.data ? (
        <ScrollArea>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="table">
            <Table.Thead>
              <Table.Tr>
                {props.columns.map((c) => (
                  <Table.Th key={c.header}>{c.header}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {q.data.items.map((row) => (
                <Table.Tr
                  key={props.rowKey(row)}
                  onClick={props.onRowClick ? () => props.onRowClick!(row) : undefined}
                  style={props.onRowClick ? { cursor: 'pointer' } : undefined}
                >
                  {props.columns.map((c) => (
                    <Table.Td key={c.header}>{c.render(row)}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      ) : null}
      <Group justify="space-between" mt="sm">
        <Pagination total={pages} value={page} onChange={setPage} size="sm" />
        <Select
          data={['10', '20', '50', '100']}
          value={limit}
          onChange={(v) => {
            setLimit(v ?? '20');
            setPage(1);
          }}
          w={90}
          size="xs"
          aria-label="rows per page"
          allowDeselect={false}
        />
      </Group>
    </div>
  );
}
