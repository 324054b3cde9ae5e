// Response shapes of docs/api/openapi.yaml that the dashboard reads.

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export interface LoginResponse {
  token: string;
  expires_at_ms: number;
  username: string;
}

export interface Listener {
  name: string;
  address: string;
  port: number;
}

export interface Overview {
  node_id: number;
  version: string;
  uptime_s: number;
  connections: number;
  sessions: number;
  subscriptions: number;
  topics: number;
  retained: number;
  users: number;
  acl_rules: number;
  blacklist: number;
  rates: { messages_in: number; messages_out: number; bytes_in: number; bytes_out: number };
  totals: {
    messages_in: number;
    messages_out: number;
    bytes_in: number;
    bytes_out: number;
    messages_dropped: number;
  };
  listeners: Listener[];
}

export interface HistoryPoint {
  time_ms: number;
  connections: number;
  sessions: number;
  messages_in_rate: number;
  messages_out_rate: number;
  bytes_in_rate: number;
  bytes_out_rate: number;
  messages_dropped_rate: number;
}

export interface History {
  interval_s: number;
  points: HistoryPoint[];
}

export interface ClusterNode {
  id: number;
  address: string;
  roles: string[];
  version: string;
  start_time_ms: number;
  uptime_s: number;
  status: string;
}

export interface Client {
  tenant: string;
  client_id: string;
  username: string;
  peer: string;
  listener: string;
  protocol_version: number;
  keep_alive_s: number;
  clean_start: boolean;
  connected_at_ms: number;
  subscriptions: number;
  inflight: number;
  queued: number;
}

export interface SessionInfo {
  tenant: string;
  client_id: string;
  connected: boolean;
  persistent: boolean;
  protocol_version: number;
  expiry_interval_s: number;
  created_ms: number;
  disconnected_at_ms: number;
  subscriptions: number;
  inflight: number;
  queued: number;
}

export interface Subscription {
  tenant: string;
  client_id: string;
  filter: string;
  qos: number;
  no_local: boolean;
  retain_as_published: boolean;
  retain_handling: number;
  subscription_id: number;
}

export interface Topic {
  tenant: string;
  name: string;
  partitions: number;
  storage: string;
  durability: string;
  retention_ms: number;
  retention_bytes: number;
  created_ms: number;
  retained: boolean;
  mqtt?: boolean;
}

export interface Shard {
  partition: number;
  shard: number | null;
  earliest_offset: number;
  next_offset: number;
  records: number;
}

export interface TopicDetail extends Topic {
  shards: Shard[];
}

export type Encoding = 'text' | 'base64';

export interface BrowsedMessage {
  offset: number;
  timestamp_ms: number;
  key: string | null;
  key_encoding: Encoding;
  headers: { key: string; value: string | null; value_encoding: Encoding }[];
  payload: string | null;
  payload_encoding: Encoding;
  size: number;
}

export interface MessagePage {
  tenant: string;
  topic: string;
  partition: number;
  mqtt: boolean;
  shard: string;
  earliest_offset: number;
  next_offset: number;
  messages: BrowsedMessage[];
}

export interface Retained {
  tenant: string;
  topic: string;
  payload: string;
  payload_encoding: Encoding;
  qos: number;
  stored_ms: number;
  message_expiry_s: number;
}

export interface User {
  tenant: string;
  username: string;
  superuser: boolean;
  created_ms: number;
}

export interface AclRule {
  tenant: string;
  name: string;
  priority: number;
  resource_type: 'all' | 'client_id' | 'username';
  resource_name: string;
  topic: string;
  ip: string;
  action: 'all' | 'publish' | 'subscribe' | 'retain';
  permission: 'allow' | 'deny';
  created_ms: number;
}

export interface AclDecision {
  allowed: boolean;
  superuser: boolean;
}

export type BlacklistType =
  | 'client_id'
  | 'username'
  | 'ip'
  | 'client_id_regex'
  | 'username_regex'
  | 'cidr';

export interface BlacklistEntry {
  type: BlacklistType;
  value: string;
  expires_ms: number;
  reason: string;
  created_ms: number;
}

export interface KafkaGroup {
  tenant: string;
  group: string;
  state: string;
  protocol_type: string;
  protocol: string;
  members: number;
  lag: number;
}

export interface KafkaGroupDetail extends Omit<KafkaGroup, 'members'> {
  generation: number;
  members: {
    member_id: string;
    group_instance_id: string;
    client_id: string;
    client_host: string;
    assignment: { topic: string; partitions: number[] }[];
  }[];
  offsets: {
    topic: string;
    partition: number;
    committed_offset: number;
    log_start_offset: number;
    log_end_offset: number;
    lag: number;
    member_id: string;
    metadata: string;
  }[];
}

export interface ConfigView {
  config: Record<string, Record<string, unknown>>;
  runtime_changeable: string[];
}
