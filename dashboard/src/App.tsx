import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './api/auth';
import { Layout } from './components/Layout';
import { LoginPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { ClientsPage } from './pages/Clients';
import { SessionsPage } from './pages/Sessions';
import { SubscriptionsPage } from './pages/Subscriptions';
import { TopicsPage } from './pages/Topics';
import { TopicDetailPage } from './pages/TopicDetail';
import { RetainedPage } from './pages/Retained';
import { UsersPage } from './pages/Users';
import { AclsPage } from './pages/Acls';
import { BlacklistPage } from './pages/Blacklist';
import { KafkaGroupsPage } from './pages/KafkaGroups';
import { ConfigPage } from './pages/Config';
import { PubSubPage } from './pages/PubSub';
import type { ReactNode } from 'react';

function RequireAuth({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="clients" element={<ClientsPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="subscriptions" element={<SubscriptionsPage />} />
        <Route path="topics" element={<TopicsPage />} />
        <Route path="topics/:name" element={<TopicDetailPage />} />
        <Route path="retained" element={<RetainedPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="acls" element={<AclsPage />} />
        <Route path="blacklist" element={<BlacklistPage />} />
        <Route path="kafka-groups" element={<KafkaGroupsPage />} />
        <Route path="config" element={<ConfigPage />} />
        <Route path="pubsub" element={<PubSubPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
