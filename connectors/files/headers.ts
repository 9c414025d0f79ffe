/**
 * Header mapping for contact files: which column holds the name, phone, email… Pure, so
 * the CSV and XLSX readers share it and it can be tested as a table.
 */
import type { ContactField, ImportRow } from '../../core/imports/rows.ts';

/** `firstName`/`lastName` exist only here: the readers fold them into `name`. */
export type HeaderField = ContactField | 'firstName' | 'lastName';

export interface HeaderMapping {
  /** For each canonical field found, the header as the file names it. */
  columns: Partial<Record<ContactField, string>>;
  /** Per column: the field it feeds, or null when it becomes an attribute (or is blank). */
  fieldByIndex: (HeaderField | null)[];
  /** Per column: the header as the file names it (trimmed, BOM stripped); '' when blank. */
  headers: string[];
}

// Keys are normalised with normaliseHeader(), so list each spelling once in that form.
// Deliberately NOT mapped (they stay attributes):
// - 'id': a bare id column is as often a row number as a CRM key;
// - '地区' / 'region': in Chinese files 地区 is usually a province or sales area, not a country;
// - 'whatsapp': a channel-specific handle; dialling it as "the" phone would surprise users
//   whose file also lists a landline, and a file with only WhatsApp numbers is rare.
const synonyms: Record<HeaderField, string[]> = {
  name: [
    '姓名',
    '名字',
    '全名',
    '客户姓名',
    '客户名称',
    '客户名',
    '客户',
    '联系人',
    '联系人姓名',
    '联系人名称',
    'name',
    'fullname',
    'contactname',
    'customername',
    'customer',
    'clientname',
    'displayname',
  ],
  firstName: ['名', 'firstname', 'givenname', 'forename'],
  lastName: ['姓', '姓氏', 'lastname', 'surname', 'familyname'],
  phone: [
    '手机',
    '手机号',
    '手机号码',
    '电话',
    '电话号码',
    '联系电话',
    '联系方式',
    '移动电话',
    '号码',
    '联系号码',
    '客户电话',
    '客户手机',
    '联系人电话',
    '联系人手机',
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'mobileno',
    'cell',
    'cellphone',
    'cellnumber',
    'telephone',
    'tel',
    'msisdn',
  ],
  email: ['邮箱', '电子邮箱', '电子邮件', '邮件', '邮箱地址', '电邮', 'email', 'mail', 'emailaddress'],
  tags: ['标签', '客户标签', 'tags', 'tag', 'labels', 'label'],
  timeZone: ['时区', 'timezone', 'tz'],
  country: ['国家', '国家/地区', '国家或地区', '国家代码', 'country', 'countrycode', 'country/region'],
  externalId: ['外部id', '外部编号', '客户编号', '客户编码', '客户id', 'externalid', 'crmid', 'customerid', 'contactid'],
};

const fieldBySynonym = new Map<string, HeaderField>();
for (const [field, names] of Object.entries(synonyms) as [HeaderField, string[]][]) {
  for (const n of names) fieldBySynonym.set(n, field);
}

/** The header as the file names it: only the BOM and surrounding whitespace removed. */
export function cleanHeader(raw: string): string {
  return raw.replace(/^\uFEFF/, '').trim();
}

// Trailing "required" markers that templates add: '*', '(必填)', '（选填）', '[required]'…
// Any trailing bracketed note is dropped, so 'Phone (mobile)' and '手机号(+86)' match too.
const trailingMarker = /(?:\*|\([^()]*\)|\[[^[\]]*\]|【[^【】]*】)+$/u;

/** Lookup key: NFKC (full-width → ASCII), lowercase, separators and markers dropped. */
export function normaliseHeader(raw: string): string {
  let h = cleanHeader(raw).normalize('NFKC').toLowerCase().trim();
  h = h.replace(/^\*+/, '');
  for (let prev = ''; prev !== h;) {
    prev = h;
    h = h.replace(trailingMarker, '').trim();
  }
  return h.replace(/[\s_\-.:]+/gu, '');
}

export function mapHeaders(headers: readonly string[]): HeaderMapping {
  const cleaned = headers.map(cleanHeader);
  const fieldByIndex: (HeaderField | null)[] = [];
  const seen = new Set<HeaderField>();
  const columns: Partial<Record<ContactField, string>> = {};

  cleaned.forEach((header) => {
    const field = header === '' ? undefined : fieldBySynonym.get(normaliseHeader(header));
    // First column wins; a later column for the same field is kept as an attribute.
    if (field === undefined || seen.has(field)) {
      fieldByIndex.push(null);
      return;
    }
    seen.add(field);
    fieldByIndex.push(field);
    if (field !== 'firstName' && field !== 'lastName') columns[field] = header;
  });

  // A full-name column beats first/last columns, which then stay attributes.
  if (seen.has('name')) {
    for (let i = 0; i < fieldByIndex.length; i++) {
      const f = fieldByIndex[i];
      if (f === 'firstName' || f === 'lastName') fieldByIndex[i] = null;
    }
  } else if (seen.has('firstName') || seen.has('lastName')) {
    const parts = ['firstName', 'lastName'].flatMap((f) => {
      const i = fieldByIndex.indexOf(f as HeaderField);
      return i < 0 ? [] : [cleaned[i] as string];
    });
    columns.name = parts.join(' + ');
  }

  return { columns, fieldByIndex, headers: cleaned };
}

const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** "Ada Lovelace" for Latin names; "张三" (family name first, no space) when either is CJK. */
export function joinName(first: string | undefined, last: string | undefined): string | undefined {
  if (!first) return last || undefined;
  if (!last) return first;
  return cjk.test(first) || cjk.test(last) ? last + first : `${first} ${last}`;
}

// ="13800138000": how Excel users force a cell to stay text (keeping leading zeros and
// long numbers); the value is what is inside the quotes.
const EXCEL_TEXT = /^="(.*)"$/s;
const excelText = (value: string | undefined) => {
  const m = value ? EXCEL_TEXT.exec(value) : null;
  return m ? m[1]!.replaceAll('""', '"').trim() : value;
};

/**
 * Builds one row from cell text, indexed like the headers; null when every cell is blank.
 * Values are trimmed (String#trim also drops the full-width space and NBSP that Chinese
 * spreadsheets are full of); blank cells are omitted; cells beyond the header are ignored
 * (there is no name to give them).
 */
export function buildRow(mapping: HeaderMapping, row: number, cells: readonly (string | undefined)[]): ImportRow | null {
  const { fieldByIndex, headers } = mapping;
  const fields: ImportRow['fields'] = {};
  const attributes: Record<string, string> = {};
  let first: string | undefined;
  let last: string | undefined;
  let any = false;
  const n = Math.min(cells.length, headers.length);
  for (let i = 0; i < n; i++) {
    const value = excelText(cells[i]?.trim());
    if (!value) continue;
    const field = fieldByIndex[i];
    if (field === 'firstName') first = value;
    else if (field === 'lastName') last = value;
    else if (field) fields[field] = value;
    else {
      const header = headers[i] as string;
      if (header === '') continue;
      // Two unrecognised columns with the same header: keep the first non-blank value.
      if (Object.hasOwn(attributes, header)) continue;
      if (header === '__proto__') {
        // Assignment would replace the prototype instead of adding a key.
        Object.defineProperty(attributes, header, { value, enumerable: true, writable: true, configurable: true });
      } else attributes[header] = value;
    }
    any = true;
  }
  if (!any) return null;
  if (first !== undefined || last !== undefined) {
    const name = joinName(first, last);
    if (name) fields.name = name;
  }
  return { row, fields, attributes };
}

/** One record of a sheet: its spreadsheet row number and its cells' text. */
export interface SheetRecord {
  row: number;
  cells: readonly string[];
}

// How many non-blank rows we look through for the header.
const headerLookahead = 10;

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * Finds the header: the first non-blank row naming a contact field. Chinese import
 * templates often put a title or instructions ("带*为必填项") above the real header, so
 * we look a few rows down; when none of the first rows names a field, the first non-blank
 * row is the header and the rows already read are handed back as data. Undefined when
 * the sheet has no non-blank row.
 */
export async function locateHeader(next: () => Promise<SheetRecord | undefined>): Promise<{ header: SheetRecord; pending: SheetRecord[] } | undefined> {
  const seen: SheetRecord[] = [];
  while (seen.length < headerLookahead) {
    const record = await next();
    if (!record) break;
    if (isBlank(record.cells)) continue;
    if (mapHeaders(record.cells).fieldByIndex.some((f) => f !== null)) return { header: record, pending: [] };
    seen.push(record);
  }
  const [header, ...pending] = seen;
  return header && { header, pending };
}

/** Every data row after the header: the records read while looking for it, then the rest. */
export async function* dataRows(mapping: HeaderMapping, pending: SheetRecord[], next: () => Promise<SheetRecord | undefined>): AsyncGenerator<ImportRow> {
  for (const r of pending) {
    const built = buildRow(mapping, r.row, r.cells);
    if (built) yield built;
  }
  for (let r = await next(); r; r = await next()) {
    const built = buildRow(mapping, r.row, r.cells);
    if (built) yield built;
  }
}
