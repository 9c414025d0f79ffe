/**
 * The Chaseline card on contact records: the contact's chases with their status and last
 * outcome, a campaign picker with "Start chase", and the latest chase's timeline. A contact
 * Chaseline has never chased shows an empty state. The contact's phone and name go with a
 * start, so a contact Chaseline has not synced yet can be chased at once.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  EmptyState,
  Flex,
  Heading,
  hubspot,
  List,
  LoadingSpinner,
  Select,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { useCrmProperties } from '@hubspot/ui-extensions/crm';
import { chaselineApi, type Campaign, type RecordChases } from './chaseline.ts';

type Tone = 'default' | 'success' | 'warning' | 'danger' | 'info';
const TONE: Record<string, Tone> = { completed: 'success', failed: 'danger', expired: 'warning', 'opted-out': 'warning', canceled: 'default' };

const when = (iso: string) => new Date(iso).toLocaleString();

export interface ChaseCardProps {
  objectId: string;
  /** Chaseline's PUBLIC_BASE_URL (default the one configured in chaseline.ts). */
  baseUrl?: string;
}

export function ChaseCard({ objectId, baseUrl }: ChaseCardProps) {
  const api = chaselineApi(baseUrl);
  const { properties } = useCrmProperties(['phone', 'mobilephone', 'firstname', 'lastname']);
  const [record, setRecord] = useState<RecordChases | null>(null);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [campaignId, setCampaignId] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  const load = useCallback(async () => {
    try {
      const [r, c] = await Promise.all([api.chases(objectId), api.campaigns()]);
      setRecord(r);
      setCampaigns(c);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [objectId, baseUrl]);

  useEffect(() => {
    void load();
  }, [load]);

  const start = async () => {
    if (!campaignId) return;
    setStarting(true);
    try {
      const phone = properties.phone || properties.mobilephone || undefined;
      const name = [properties.firstname, properties.lastname].filter(Boolean).join(' ') || undefined;
      await api.start({ objectId, campaignId, ...(phone ? { phone } : {}), ...(name ? { name } : {}) });
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setStarting(false);
    }
  };

  if (!record && !error) return <LoadingSpinner label="Loading chases" />;

  return (
    <Flex direction="column" gap="md">
      {error && (
        <Alert title="Chaseline" variant="error">
          {error}
        </Alert>
      )}
      {record && record.chases.length === 0 && (
        <EmptyState title="Not chased yet" layout="vertical">
          <Text>Chaseline has not chased this contact. Pick a campaign to start.</Text>
        </EmptyState>
      )}
      {record && record.chases.length > 0 && (
        <Table>
          <TableHead>
            <TableRow>
              <TableHeader>Campaign</TableHeader>
              <TableHeader>Status</TableHeader>
              <TableHeader>Last outcome</TableHeader>
              <TableHeader>Started</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {record.chases.map((c) => (
              <TableRow key={c.id}>
                <TableCell>{c.campaignName}</TableCell>
                <TableCell>
                  <StatusTag variant={TONE[c.status] ?? 'info'}>{c.status}</StatusTag>
                </TableCell>
                <TableCell>{c.outcome ?? '—'}</TableCell>
                <TableCell>{when(c.createdAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Flex direction="row" gap="sm" align="end">
        <Select
          name="campaignId"
          label="Campaign"
          placeholder="Choose a campaign"
          value={campaignId}
          options={campaigns.map((c) => ({ label: c.name, value: c.id }))}
          onChange={(value) => setCampaignId(String(value))}
        />
        <Button variant="primary" disabled={!campaignId || starting} onClick={() => void start()}>
          Start chase
        </Button>
      </Flex>
      {record?.latest && (
        <Flex direction="column" gap="xs">
          <Heading>Latest chase: {record.latest.status}</Heading>
          <List variant="unordered">
            {record.latest.timeline.map((e, i) => (
              <Text key={`${e.at}-${i}`}>
                {when(e.at)} — {e.type}
              </Text>
            ))}
          </List>
        </Flex>
      )}
    </Flex>
  );
}

hubspot.extend<'crm.record.tab'>(({ context }) => <ChaseCard objectId={String(context.crm.objectId)} />);
