// Who picks up a number and what they say: per-number profiles and personas, the personas
// chosen by a number's last digits, and those set through the control API — resolved exactly
// as sim/twilio resolves them, from the same persona and profile types.
import { personaBySuffix, personaParts, type PersonaRef, type PersonaSpec } from '../twilio/personas.ts';
import {
  DEFAULT_PROFILE,
  drawCall,
  pickWeighted,
  seededRandom,
  type CallDraw,
  type OutcomeProfile,
  type Persona,
  type SmsOutcome,
} from '../twilio/profiles.ts';

const SIP_URI = /^sips?:([^@;]+)@[^@\s]+$/i;
const E164 = /^\+[1-9]\d{1,14}$/;
/** The phone number an endpoint reaches: itself, or the E.164 user part of a SIP URI. */
export const numberOf = (endpoint: string) => {
  const user = SIP_URI.exec(endpoint)?.[1];
  return user && E164.test(user) ? user : endpoint;
};

export interface CalleeOptions {
  profile?: OutcomeProfile;
  profiles?: Record<string, OutcomeProfile>;
  personas?: Record<string, Persona>;
  personasBySuffix?: Record<string, PersonaRef>;
}

export type Lookup = { persona: PersonaSpec | null; from: 'set' | 'suffix' | 'none'; suffix?: string };

export class Callees {
  readonly bySuffix: Record<string, PersonaRef>;
  private readonly profiles: Map<string, OutcomeProfile>;
  private readonly personas: Map<string, Persona>;
  private readonly defaultProfile: OutcomeProfile;
  /** One generator per profile owner, so a number's own seed makes its draws repeatable. */
  private readonly randoms = new Map<string, () => number>();
  private readonly suffixParts = new Map<string, ReturnType<typeof personaParts>>();
  /** Set through the control API (or setCallee), by number. */
  readonly set = new Map<string, PersonaSpec>();

  constructor(options: CalleeOptions) {
    this.bySuffix = options.personasBySuffix ?? {};
    this.profiles = new Map(Object.entries(options.profiles ?? {}));
    this.personas = new Map(Object.entries(options.personas ?? {}));
    this.defaultProfile = options.profile ?? DEFAULT_PROFILE;
  }

  private randomFor(key: string, profile: OutcomeProfile) {
    let r = this.randoms.get(key);
    if (!r) this.randoms.set(key, (r = profile.seed === undefined ? Math.random : seededRandom(profile.seed)));
    return r;
  }

  private suffixCallee(number: string) {
    const found = personaBySuffix(this.bySuffix, number);
    if (!found) return undefined;
    let parts = this.suffixParts.get(found.suffix);
    if (!parts) this.suffixParts.set(found.suffix, (parts = personaParts(found.spec)));
    return { key: `suffix:${found.suffix}`, ...parts };
  }

  /** The profile of the number called, else its suffix's persona, else the calling line's, else the default. */
  profileOf(to: string | undefined, from?: string): [OutcomeProfile, () => number] {
    const callee = to === undefined ? undefined : numberOf(to);
    for (const key of [to, callee]) {
      const own = key === undefined ? undefined : this.profiles.get(key);
      if (own) return [own, this.randomFor(key!, own)];
    }
    const bySuffix = callee === undefined ? undefined : this.suffixCallee(callee);
    if (bySuffix) return [bySuffix.profile, this.randomFor(bySuffix.key, bySuffix.profile)];
    const line = from === undefined ? undefined : this.profiles.get(from);
    if (line) return [line, this.randomFor(from!, line)];
    return [this.defaultProfile, this.randomFor('*', this.defaultProfile)];
  }

  drawCall(to: string, from: string): CallDraw {
    return drawCall(...this.profileOf(to, from));
  }

  drawSms(to: string, from: string): SmsOutcome {
    const [profile, random] = this.profileOf(to, from);
    return pickWeighted(profile.sms ?? {}, 'delivered', random);
  }

  lineTypeOf(number: string) {
    return this.profiles.get(number)?.lineType ?? this.defaultProfile.lineType;
  }

  persona(to: string): Persona | undefined {
    return this.personas.get(to) ?? this.personas.get(numberOf(to)) ?? this.suffixCallee(numberOf(to))?.persona;
  }

  setProfile(number: string, profile: OutcomeProfile) {
    this.profiles.set(number, profile);
    this.randoms.delete(number);
  }

  setPersona(number: string, persona: Persona) {
    this.personas.set(number, persona);
  }

  /** Both halves of a callee — who picks up and what they say — as PUT /sim/personas/{number} sets them. */
  setCallee(number: string, spec: PersonaSpec) {
    const { profile, persona } = personaParts(spec);
    this.set.set(number, spec);
    this.setProfile(number, profile);
    this.personas.set(number, persona);
  }

  reset(number: string) {
    this.set.delete(number);
    this.profiles.delete(number);
    this.randoms.delete(number);
    this.personas.delete(number);
  }

  lookup(number: string): Lookup {
    const own = this.set.get(number);
    if (own) return { persona: own, from: 'set' };
    const found = personaBySuffix(this.bySuffix, number);
    return found ? { persona: found.spec, from: 'suffix', suffix: found.suffix } : { persona: null, from: 'none' };
  }
}
