// The merchant's page inside the Shopify admin: abandoned-cart chasing on or off, its delay and
// quiet hours, and what it did lately (the last chases, revenue recovered in 30 days).
import { useCallback, useEffect, useState } from 'react';
import { Badge, BlockStack, Banner, Button, Card, Checkbox, DataTable, FormLayout, InlineGrid, Layout, Page, Text, TextField } from '@shopify/polaris';
import { TitleBar } from '@shopify/app-bridge-react';
import { getOverview, getSettings, saveSettings, type Overview, type Revenue, type Settings } from './api.ts';

const money = (r: Revenue) => new Intl.NumberFormat('en', { style: 'currency', currency: r.currency }).format(r.amount);

export function App() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [delay, setDelay] = useState('120');
  const [quiet, setQuiet] = useState({ on: true, start: '21:00', end: '08:00' });
  const [enabled, setEnabled] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [s, o] = await Promise.all([getSettings(), getOverview()]);
      setSettings(s);
      setEnabled(s.enabled);
      setDelay(String(s.delayMinutes));
      setQuiet(s.quietHours ? { on: true, ...s.quietHours } : { on: false, start: '21:00', end: '08:00' });
      setOverview(o);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const saved = await saveSettings({ enabled, delayMinutes: Number(delay), quietHours: quiet.on ? { start: quiet.start, end: quiet.end } : null });
      setSettings(saved);
      window.shopify.toast.show('Settings saved');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const rows = (overview?.chases ?? []).map((c) => [
    new Date(c.createdAt).toLocaleString('en'),
    c.status,
    c.outcome ?? '—',
    c.cartTotal && c.currency ? money({ currency: c.currency, amount: Number(c.cartTotal) }) : '—',
    c.recovered ? money(c.recovered) : '—',
  ]);
  const revenue = overview?.last30Days.revenue ?? [];

  return (
    <Page title="Chaseline">
      <TitleBar title="Chaseline" />
      <Layout>
        {error && (
          <Layout.Section>
            <Banner tone="critical" title="Chaseline could not be reached">
              <p>{error}</p>
            </Banner>
          </Layout.Section>
        )}
        {settings?.warnings.some((w) => w.code === 'no-line') && (
          <Layout.Section>
            <Banner tone="warning" title="No phone line to call from yet">
              <p>Chaseline has no caller line for this store, so no call can go out. Ask your Chaseline operator to add one; until then checkouts wait.</p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineGrid columns="1fr auto">
                <Text as="h2" variant="headingMd">
                  Abandoned-cart chasing
                </Text>
                <Badge tone={settings?.enabled ? 'success' : undefined}>{settings?.enabled ? 'On' : 'Off'}</Badge>
              </InlineGrid>
              <FormLayout>
                <Checkbox label="Call buyers who leave a checkout without ordering" checked={enabled} onChange={setEnabled} />
                <TextField
                  label="Wait before the call (minutes)"
                  type="number"
                  min={0}
                  max={10080}
                  value={delay}
                  onChange={setDelay}
                  autoComplete="off"
                  helpText="Counted from the checkout's last change; an order placed meanwhile stops the chase."
                />
                <Checkbox label="Quiet hours (no calls in the buyer's local time)" checked={quiet.on} onChange={(on) => setQuiet({ ...quiet, on })} />
                {quiet.on && (
                  <FormLayout.Group>
                    <TextField label="Quiet from" type="time" value={quiet.start} onChange={(start) => setQuiet({ ...quiet, start })} autoComplete="off" />
                    <TextField label="Quiet until" type="time" value={quiet.end} onChange={(end) => setQuiet({ ...quiet, end })} autoComplete="off" />
                  </FormLayout.Group>
                )}
                <Button variant="primary" onClick={() => void save()} loading={saving}>
                  Save
                </Button>
              </FormLayout>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Last 30 days
              </Text>
              <Text as="p">
                {overview?.last30Days.chases ?? 0} chases, {overview?.last30Days.conversions ?? 0} orders
              </Text>
              <Text as="p" variant="headingLg">
                <span data-testid="recovered">{revenue.length ? revenue.map(money).join(' + ') : money({ currency: 'USD', amount: 0 })}</span> recovered
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Recent chases
              </Text>
              {rows.length ? (
                <DataTable
                  columnContentTypes={['text', 'text', 'text', 'numeric', 'numeric']}
                  headings={['Started', 'Status', 'Outcome', 'Cart', 'Recovered']}
                  rows={rows}
                />
              ) : (
                <Text as="p" tone="subdued">
                  No chases yet.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
