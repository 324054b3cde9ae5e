// Publish through POST /api/v1/publish (as the server: no ACL check) and
// watch what the journal keeps of a topic with the message browser. Receiving
// live over MQTT-over-WebSocket would need an MQTT client in the page and a
// second login (MQTT credentials); the browser shows stored messages instead:
// QoS 1/2 publishes, and every message of a Kafka topic.
import { Button, Card, Checkbox, Group, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { post } from '../api/client';
import { ErrorAlert, notifyOk, PageHeader } from '../components/common';
import { MessageBrowser } from '../components/MessageBrowser';

export function PubSubPage() {
  const [topic, setTopic] = useState('test/dashboard');
  const [tenant, setTenant] = useState('default');
  const [payload, setPayload] = useState('{"hello": "world"}');
  const [qos, setQos] = useState('1');
  const [retain, setRetain] = useState(false);
  const [watched, setWatched] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: () =>
      post('/api/v1/publish', { topic, tenant, payload, qos: Number(qos), retain }),
    onSuccess: () => {
      notifyOk(`Published to ${topic}`);
      setWatched(topic);
    },
  });
  return (
    <Stack>
      <PageHeader title="Pub/Sub tester" />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder>
          <Title order={4} mb="xs">
            Publish
          </Title>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              publish.mutate();
            }}
          >
            <Stack gap="xs">
              <Group grow>
                <TextInput label="Topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)} required />
                <TextInput label="Tenant" value={tenant} onChange={(e) => setTenant(e.currentTarget.value)} />
              </Group>
              <Textarea label="Payload (text)" autosize minRows={3} value={payload} onChange={(e) => setPayload(e.currentTarget.value)} />
              <Group>
                <Select label="QoS" data={['0', '1', '2']} value={qos} onChange={(v) => setQos(v ?? '1')} w={80} allowDeselect={false} />
                <Checkbox mt="lg" label="Retain" checked={retain} onChange={(e) => setRetain(e.currentTarget.checked)} />
                <Button mt="lg" type="submit" loading={publish.isPending}>
                  Publish
                </Button>
              </Group>
              <ErrorAlert error={publish.error} />
            </Stack>
          </form>
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">
            Receive
          </Title>
          <Text size="sm" c="dimmed">
            Stored messages of the topic, refreshed every 5 s: QoS 1 and 2 messages of MQTT
            topics, all messages of Kafka topics. QoS 0 messages are delivered to subscribers but
            never stored. To watch live deliveries, subscribe with any MQTT client (for example
            MQTT over WebSocket on the broker's ws port, path /mqtt).
          </Text>
          <Group mt="xs">
            <TextInput
              placeholder="topic to watch"
              value={watched ?? ''}
              onChange={(e) => setWatched(e.currentTarget.value || null)}
              aria-label="watched topic"
            />
          </Group>
        </Card>
      </SimpleGrid>
      {watched && <WatchedTopic topic={watched} tenant={tenant} />}
    </Stack>
  );
}

function WatchedTopic({ topic, tenant }: { topic: string; tenant: string }) {
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Messages on {topic}
      </Title>
      <MessageBrowser key={`${tenant}/${topic}`} topic={topic} tenant={tenant} partitions={1} />
    </Card>
  );
}
