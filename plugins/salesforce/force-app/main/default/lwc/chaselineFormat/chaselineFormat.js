/** What a chase looks like to a rep, shared by the Chaseline components. */
const STATUS = {
    scheduled: 'Scheduled',
    dialing: 'Calling',
    completed: 'Completed',
    canceled: 'Canceled',
    'opted-out': 'Opted out',
    expired: 'Expired',
    failed: 'Failed'
};

export function statusText(chase) {
    if (!chase) return '';
    const status = STATUS[chase.status] || chase.status;
    return chase.outcome ? `${status}: ${chase.outcome}` : status;
}

/** The message of an Apex error (AuraHandledException: body.message), or of anything else thrown. */
export function errorMessage(e) {
    if (e && e.body && e.body.message) return e.body.message;
    if (e && e.message) return e.message;
    return 'Chaseline could not be reached.';
}
