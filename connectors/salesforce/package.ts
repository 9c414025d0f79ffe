/**
 * The API names of what the Chaseline package (plugins/salesforce) adds to an org, defined
 * once: the write-back uses them, and plugins/salesforce/test checks each one has its field
 * file in the package. Activity fields are defined on Activity and written on Task.
 */

/** On Contact and Lead: where the contact's chasing stands (a ChaseResult). */
export const PERSON_FIELDS = {
  outcome: 'Chaseline_Last_Outcome__c',
  endedAt: 'Chaseline_Last_Chase_At__c',
  attempts: 'Chaseline_Attempts__c',
  campaign: 'Chaseline_Last_Campaign__c',
} as const;

/** On Activity (so on each call Task). */
export const ACTIVITY_FIELDS = {
  outcome: 'Chaseline_Outcome__c',
  intent: 'Chaseline_Intent__c',
  duration: 'Chaseline_Duration__c',
  chaseId: 'Chaseline_Chase_Id__c',
} as const;

/** The platform event Chaseline publishes when a chase ends, and its fields. */
export const CHASE_ENDED_EVENT = 'Chaseline_Chase_Ended__e';
export const CHASE_ENDED_FIELDS = {
  recordId: 'Record_Id__c',
  chaseId: 'Chase_Id__c',
  outcome: 'Outcome__c',
  attempts: 'Attempts__c',
  campaign: 'Campaign__c',
} as const;
