import type { Procedure } from '../procedure.ts';
import { tenantsCreate, tenantsCurrent, tenantsUpdate } from './tenants.ts';
import { apiKeysCreate, apiKeysList, apiKeysRevoke } from './api-keys.ts';
import { contactsGet, contactsList, contactsUpsert, contactsValidate } from './contacts.ts';
import { optOutsCreate, optOutsList } from './opt-outs.ts';
import { auditList, importsGet } from './imports.ts';
import { dataRequestsGet, dataRequestsList } from './data-requests.ts';
import { segmentsCreate, segmentsGet, segmentsList, segmentsRefresh } from './segments.ts';
import { campaignsCancel, campaignsCreate, campaignsGet, campaignsList, campaignsPause, campaignsResume, campaignsUpdate } from './campaigns.ts';
import { chaseRulesGet, chaseRulesSet } from './chase-rules.ts';
import { chasesCancel, chasesGet, chasesList, chasesStart, chasesStartBulk } from './chases.ts';
import { linesCreate, linesDelete, linesGet, linesList, linesUpdate } from './lines.ts';
import { connectorsDelete, connectorsList, connectorsOutbox, connectorsOutboxRetry, connectorsPut, connectorsSync } from './connectors.ts';
import { intentsClassify } from './intents.ts';
import { connectorsHubspotInstall } from './connectors.install.ts';
import { scriptsClearFlag, scriptsList } from './scripts.ts';
import { experimentsCreate, experimentsGet, experimentsList, experimentsStop } from './experiments.ts';
import { optimiserHours } from './optimiser.ts';
import {
  eventSubscriptionsCreate,
  eventSubscriptionsDelete,
  eventSubscriptionsDeliveries,
  eventSubscriptionsGet,
  eventSubscriptionsList,
  eventSubscriptionsReplay,
  eventSubscriptionsReplayDelivery,
  eventSubscriptionsRotateSecret,
  eventSubscriptionsUpdate,
} from './event-subscriptions.ts';
import { reportsDefinitions, reportsSummary, reportsTimeseries } from './reports.ts';

/** Every procedure of the v1 API; REST, tRPC and OpenAPI are built from this list. */
export const procedures: Procedure[] = [
  intentsClassify,
  tenantsCreate,
  tenantsCurrent,
  tenantsUpdate,
  apiKeysCreate,
  apiKeysList,
  apiKeysRevoke,
  contactsValidate,
  contactsUpsert,
  contactsGet,
  contactsList,
  optOutsCreate,
  optOutsList,
  importsGet,
  auditList,
  dataRequestsList,
  dataRequestsGet,
  segmentsCreate,
  segmentsList,
  segmentsGet,
  segmentsRefresh,
  campaignsCreate,
  campaignsList,
  campaignsGet,
  campaignsUpdate,
  campaignsPause,
  campaignsResume,
  campaignsCancel,
  chaseRulesGet,
  chaseRulesSet,
  chasesStart,
  chasesStartBulk,
  chasesGet,
  chasesList,
  chasesCancel,
  linesCreate,
  linesList,
  linesGet,
  linesUpdate,
  linesDelete,
  connectorsHubspotInstall,
  connectorsPut,
  connectorsList,
  connectorsDelete,
  connectorsSync,
  connectorsOutbox,
  connectorsOutboxRetry,
  scriptsList,
  scriptsClearFlag,
  experimentsCreate,
  experimentsList,
  experimentsGet,
  experimentsStop,
  optimiserHours,
  eventSubscriptionsCreate,
  eventSubscriptionsList,
  eventSubscriptionsGet,
  eventSubscriptionsUpdate,
  eventSubscriptionsDelete,
  eventSubscriptionsRotateSecret,
  eventSubscriptionsDeliveries,
  eventSubscriptionsReplayDelivery,
  eventSubscriptionsReplay,
  reportsSummary,
  reportsTimeseries,
  reportsDefinitions,
] as Procedure[];
