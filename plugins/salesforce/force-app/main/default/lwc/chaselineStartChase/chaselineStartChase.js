/**
 * "Start chase" on a Contact or Lead: pick one of Chaseline's active campaigns, start, and
 * watch the chase's status until it ends (polled, since Chaseline pushes nothing into the page).
 */
import { LightningElement, api } from 'lwc';
import { CloseActionScreenEvent } from 'lightning/actions';
import getCampaigns from '@salesforce/apex/ChaselineController.getCampaigns';
import startChase from '@salesforce/apex/ChaselineController.startChase';
import getChase from '@salesforce/apex/ChaselineController.getChase';
import { errorMessage, statusText } from 'c/chaselineFormat';

/** How often a running chase is asked for again. */
export const POLL_MS = 3000;

export default class ChaselineStartChase extends LightningElement {
    @api recordId;
    campaigns = [];
    campaignId;
    chase;
    error;
    busy = false;
    timer;

    connectedCallback() {
        this.loadCampaigns();
    }

    disconnectedCallback() {
        clearTimeout(this.timer);
    }

    async loadCampaigns() {
        try {
            this.campaigns = await getCampaigns();
            if (this.campaigns.length === 1) this.campaignId = this.campaigns[0].id;
        } catch (e) {
            this.error = errorMessage(e);
        }
    }

    get options() {
        return this.campaigns.map((c) => ({ label: c.name, value: c.id }));
    }

    get pickerDisabled() {
        return this.busy || Boolean(this.chase);
    }

    get cannotStart() {
        return !this.campaignId || this.busy || Boolean(this.chase);
    }

    get statusText() {
        return statusText(this.chase);
    }

    handleCampaign(event) {
        this.campaignId = event.detail.value;
        this.error = undefined;
    }

    async start() {
        this.error = undefined;
        this.busy = true;
        try {
            this.chase = await startChase({ recordId: this.recordId, campaignId: this.campaignId });
            this.schedulePoll();
        } catch (e) {
            this.error = errorMessage(e);
        } finally {
            this.busy = false;
        }
    }

    schedulePoll() {
        clearTimeout(this.timer);
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        if (this.chase && this.chase.live) this.timer = setTimeout(() => this.refresh(), POLL_MS);
    }

    async refresh() {
        try {
            this.chase = await getChase({ chaseId: this.chase.id });
            this.schedulePoll();
        } catch (e) {
            this.error = errorMessage(e);
        }
    }

    close() {
        this.dispatchEvent(new CloseActionScreenEvent());
    }
}
