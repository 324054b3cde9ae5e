import { TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Subscription } from '../api/types';
import { PageHeader } from '../components/common';
import { PagedTable } from '../components/PagedTable';

export function SubscriptionsPage() {
  const [clientId, setClientId] = useState('');
  const [debounced] = useDebouncedValue(clientId, 300);
  return (
    <>
      <PageHeader title="Subscriptions">
        <TextInput
          placeholder="Only client id (exact)"
          value={clientId}
          onChange={(e) => setClientId(e.currentTarget.value)}
          w={260}
        />
      </PageHeader>
      <PagedTable<Subscription>
        path="/api/v1/subscriptions"
        queryKey="subscriptions"
        extraQuery={{ client_id: debounced }}
        rowKey={(s) => `${s.tenant}/${s.client_id}/${s.filter}`}
        searchPlaceholder="Search topic filter"
        empty="No subscriptions."
        columns={[
          { header: 'Filter', render: (s) => s.filter },
          { header: 'Client id', render: (s) => s.client_id },
          { header: 'Tenant', render: (s) => s.tenant },
          { header: 'QoS', render: (s) => s.qos },
          { header: 'No local', render: (s) => (s.no_local ? 'yes' : 'no') },
          { header: 'Retain as published', render: (s) => (s.retain_as_published ? 'yes' : 'no') },
          { header: 'Retain handling', render: (s) => s.retain_handling },
        ]}
      />
    </>
  );
}
