/**
 * What the engine makes of a carrier's word about a call. Connectors map their carrier's
 * values onto the port's (core/ports.ts); the decisions over them are taken here, once.
 */
import type { AnsweredBy } from './ports.ts';

/** Answers that are no person: the call's end counts as a machine, and a voicemail may be left. */
const MACHINE_ANSWERS: readonly AnsweredBy[] = ['machine', 'fax'];

/** Was it a machine? The status path, the machine-detection path and the dialog all ask this. */
export function isMachine(answeredBy: AnsweredBy | string | null | undefined): boolean {
  return MACHINE_ANSWERS.includes(answeredBy as AnsweredBy);
}

/** The same answers as one text[] parameter (`answered_by = any($n)`): a statement decides as `isMachine` does. */
export const machineAnswers: string[] = [...MACHINE_ANSWERS];
