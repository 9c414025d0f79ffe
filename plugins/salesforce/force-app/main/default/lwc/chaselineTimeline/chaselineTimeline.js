/**
 * The record's Chaseline chases on its page: each with its status and outcome, and the
 * latest one's timeline (created, dialing, answered, intent, SMS sent…). A record Chaseline
 * does not know yet shows an empty state.
 */
import { LightningElement, api } from 'lwc';
import getRecordChases from '@salesforce/apex/ChaselineController.getRecordChases';
import { errorMessage, statusText } from 'c/chaselineFormat';

const EVENT_LABELS = {
    created: 'Chase created',
    scheduled: 'Scheduled',
    dialing: 'Calling',
    ringing: 'Ringing',
    answered: 'Answered',
    'no-answer': 'No answer',
    busy: 'Busy',
    failed: 'Call failed',
    machine: 'Voicemail reached',
    'sms-sent': 'SMS sent',
    completed: 'Completed',
    canceled: 'Canceled',
    'opted-out': 'Opted out',
    expired: 'Expired',
    intent: 'Understood the answer',
    voicemail: 'Left a voicemail',
    transferred: 'Put through to a person',
    'callback-requested': 'Asked to be called back',
    refused: 'Not interested',
    'wrong-number': 'Wrong number',
    'link-clicked': 'Clicked the link',
    recovered: 'Order recovered'
};

export default class ChaselineTimeline extends LightningElement {
    @api recordId;
    chases = [];
    latest;
    error;
    loaded = false;

    connectedCallback() {
        this.load();
    }

    get empty() {
        return this.loaded && this.chases.length === 0;
    }

    load = async () => {
        this.error = undefined;
        try {
            const result = await getRecordChases({ recordId: this.recordId });
            this.chases = (result.chases || []).map((c) => ({ ...c, text: statusText(c) }));
            this.latest = result.latest
                ? { ...result.latest, events: (result.latest.timeline || []).map((e, n) => ({ ...e, key: `${n}`, label: EVENT_LABELS[e.type] || e.type })) }
                : undefined;
            this.loaded = true;
        } catch (e) {
            this.error = errorMessage(e);
        }
    };
}
