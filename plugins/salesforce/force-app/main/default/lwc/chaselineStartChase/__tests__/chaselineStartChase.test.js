import { createElement } from 'lwc';
import ChaselineStartChase, { POLL_MS } from 'c/chaselineStartChase';
import getCampaigns from '@salesforce/apex/ChaselineController.getCampaigns';
import startChase from '@salesforce/apex/ChaselineController.startChase';
import getChase from '@salesforce/apex/ChaselineController.getChase';

// Apex methods mocked as sfdx-lwc-jest documents: virtual modules whose default export is a jest.fn.
jest.mock('@salesforce/apex/ChaselineController.getCampaigns', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/ChaselineController.startChase', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/ChaselineController.getChase', () => ({ default: jest.fn() }), { virtual: true });

const RECORD_ID = '003000000000001AAA';
const CAMPAIGNS = [
    { id: 'c-1', name: 'Abandoned carts' },
    { id: 'c-2', name: 'Renewals' }
];
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Lets promises and LWC's re-render run without a timer (for tests on fake timers). */
const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
};

function mount() {
    const element = createElement('c-chaseline-start-chase', { is: ChaselineStartChase });
    element.recordId = RECORD_ID;
    document.body.appendChild(element);
    return element;
}
const $ = (element, selector) => element.shadowRoot.querySelector(selector);

async function pick(element, campaignId) {
    const picker = $(element, 'lightning-combobox');
    picker.dispatchEvent(new CustomEvent('change', { detail: { value: campaignId } }));
    await settle();
}

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
    jest.useRealTimers();
});

describe('c-chaseline-start-chase', () => {
    it('lists the active campaigns in the picker', async () => {
        getCampaigns.mockResolvedValue(CAMPAIGNS);
        const element = mount();
        await flush();
        const picker = $(element, 'lightning-combobox');
        expect(picker.options).toEqual([
            { label: 'Abandoned carts', value: 'c-1' },
            { label: 'Renewals', value: 'c-2' }
        ]);
        expect($(element, 'lightning-button.start').disabled).toBe(true);
    });

    it('starts a chase of the record in the picked campaign and shows its status', async () => {
        getCampaigns.mockResolvedValue(CAMPAIGNS);
        startChase.mockResolvedValue({ id: 'ch-1', status: 'scheduled', outcome: null, live: true, timeline: [] });
        const element = mount();
        await flush();
        await pick(element, 'c-2');
        $(element, 'lightning-button.start').click();
        await flush();
        expect(startChase).toHaveBeenCalledWith({ recordId: RECORD_ID, campaignId: 'c-2' });
        expect($(element, '.status').textContent).toBe('Scheduled');
        expect($(element, 'lightning-button.start').disabled).toBe(true);
        expect($(element, '.error')).toBeNull();
    });

    it('keeps the status live until the chase ends', async () => {
        jest.useFakeTimers();
        getCampaigns.mockResolvedValue(CAMPAIGNS);
        startChase.mockResolvedValue({ id: 'ch-1', status: 'scheduled', outcome: null, live: true, timeline: [] });
        getChase
            .mockResolvedValueOnce({ id: 'ch-1', status: 'dialing', outcome: null, live: true, timeline: [] })
            .mockResolvedValueOnce({ id: 'ch-1', status: 'completed', outcome: 'interested', live: false, timeline: [] });
        const element = mount();
        await settle();
        await pick(element, 'c-1');
        $(element, 'lightning-button.start').click();
        await settle();
        expect($(element, '.status').textContent).toBe('Scheduled');

        jest.advanceTimersByTime(POLL_MS);
        await settle();
        expect(getChase).toHaveBeenCalledWith({ chaseId: 'ch-1' });
        expect($(element, '.status').textContent).toBe('Calling');

        jest.advanceTimersByTime(POLL_MS);
        await settle();
        expect($(element, '.status').textContent).toBe('Completed: interested');

        // Ended: no more polling.
        jest.advanceTimersByTime(POLL_MS * 3);
        await settle();
        expect(getChase).toHaveBeenCalledTimes(2);
    });

    it("shows Chaseline's reason when the start is refused", async () => {
        getCampaigns.mockResolvedValue(CAMPAIGNS);
        startChase.mockRejectedValue({ body: { message: 'the number opted out' }, status: 500 });
        const element = mount();
        await flush();
        await pick(element, 'c-1');
        $(element, 'lightning-button.start').click();
        await flush();
        expect($(element, '.error').textContent).toBe('the number opted out');
        expect($(element, '.status')).toBeNull();
        expect($(element, 'lightning-button.start').disabled).toBe(false);
    });

    it('shows why the campaigns could not be loaded', async () => {
        getCampaigns.mockRejectedValue({ body: { message: 'Chaseline refused the API key: check the Chaseline external credential.' } });
        const element = mount();
        await flush();
        expect($(element, '.error').textContent).toContain('external credential');
    });

    it('closes the action', async () => {
        getCampaigns.mockResolvedValue(CAMPAIGNS);
        const element = mount();
        await flush();
        const closed = jest.fn();
        element.addEventListener('close', closed);
        $(element, 'lightning-button.close').click();
        expect(closed).toHaveBeenCalledTimes(1);
    });
});
