import { createElement } from 'lwc';
import ChaselineTimeline from 'c/chaselineTimeline';
import getRecordChases from '@salesforce/apex/ChaselineController.getRecordChases';

jest.mock('@salesforce/apex/ChaselineController.getRecordChases', () => ({ default: jest.fn() }), { virtual: true });

const RECORD_ID = '00Q000000000001AAA';
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount() {
    const element = createElement('c-chaseline-timeline', { is: ChaselineTimeline });
    element.recordId = RECORD_ID;
    document.body.appendChild(element);
    return element;
}
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
});

describe('c-chaseline-timeline', () => {
    it("renders the record's chases and the latest chase's timeline", async () => {
        const latest = {
            id: 'ch-2',
            status: 'completed',
            outcome: 'interested',
            live: false,
            createdAt: '2026-03-02T09:00:00.000Z',
            timeline: [
                { at: '2026-03-02T09:00:00.000Z', type: 'created' },
                { at: '2026-03-02T09:00:02.000Z', type: 'dialing' },
                { at: '2026-03-02T09:00:09.000Z', type: 'answered' },
                { at: '2026-03-02T09:00:30.000Z', type: 'completed' }
            ]
        };
        getRecordChases.mockResolvedValue({
            chases: [latest, { id: 'ch-1', status: 'expired', outcome: 'unreached', live: false, createdAt: '2026-02-01T09:00:00.000Z', timeline: [] }],
            latest
        });
        const element = mount();
        await flush();
        expect(getRecordChases).toHaveBeenCalledWith({ recordId: RECORD_ID });
        expect($$(element, 'li.chase').map((li) => li.textContent.trim())).toEqual(['Completed: interested', 'Expired: unreached']);
        expect($$(element, 'li.event').map((li) => li.textContent.trim())).toEqual(['Chase created', 'Calling', 'Answered', 'Completed']);
        expect($$(element, '.empty')).toHaveLength(0);
    });

    it('shows an empty state for a record Chaseline does not know', async () => {
        getRecordChases.mockResolvedValue({ chases: [], latest: null });
        const element = mount();
        await flush();
        expect($$(element, '.empty')[0].textContent).toBe('No chases for this record yet.');
        expect($$(element, 'li')).toHaveLength(0);
    });

    it('shows the error when Chaseline cannot be reached, and recovers on refresh', async () => {
        getRecordChases.mockRejectedValueOnce({ body: { message: 'Chaseline could not be reached: Read timed out' } });
        const element = mount();
        await flush();
        expect($$(element, '.error')[0].textContent).toBe('Chaseline could not be reached: Read timed out');

        getRecordChases.mockResolvedValueOnce({ chases: [], latest: null });
        $$(element, 'lightning-button-icon.refresh')[0].click();
        await flush();
        expect($$(element, '.error')).toHaveLength(0);
        expect($$(element, '.empty')).toHaveLength(1);
    });
});
