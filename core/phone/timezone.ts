/**
 * The recipient's IANA time zone from their phone number, for contacts whose CRM record
 * carries neither a time zone nor an address (DESIGN.md, "Calling windows are the
 * recipient's"). Data only: no vendor SDK, no network; libphonenumber-js supplies the
 * number's country.
 *
 * What is exact and what is approximated:
 * - Single-zone countries (most of the world) map straight to their zone. The table is
 *   tzdata's zone.tab (first zone per country), with the five countries whose first entry
 *   is a small region replaced by the most populous one (AU, RU, UA, UZ, PS).
 * - US and CA: by area code. Area codes that straddle a zone line take the zone of most
 *   of their people (FL 850 → Central, IN 812 → Eastern, CA 867 → Mountain for all three
 *   territories, KS/NE/ND/SD/ID areas split by a county line → their bigger side).
 *   Area codes missing from the table (new overlays) fall back to the country's default.
 * - BR (DDD codes) and MX (3-digit area codes) are geographic for mobiles as well, so
 *   those are reliable; 97 (AM) is approximated as Manaus although Eirunepé is UTC−5.
 * - AU, ID, RU, CL, ES, PT: fixed lines by area code; MOBILES ARE NOT GEOGRAPHIC there,
 *   so a mobile gets the country's most populous zone (AU → Sydney, ID → Jakarta,
 *   RU → Moscow, i.e. often wrong by hours for Siberia or Perth). Treat those as a guess;
 *   a CRM field or an address beats this.
 * - Other multi-zone countries (CD, KI, MN, FM, PF, GL, EC, NZ, KZ, …) get their most
 *   populous zone. KZ has been one offset (UTC+5) since March 2024, so Almaty is exact.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** 'CC Zone CC Zone …' pairs: country (ISO 3166-1 alpha-2, as libphonenumber reports it) → zone. */
const COUNTRY_ZONES = parsePairs([
  'AD Europe/Andorra AE Asia/Dubai AF Asia/Kabul AG America/Antigua AI America/Anguilla AL Europe/Tirane',
  'AM Asia/Yerevan AO Africa/Luanda AQ Antarctica/McMurdo AR America/Argentina/Buenos_Aires',
  'AS Pacific/Pago_Pago AT Europe/Vienna AU Australia/Sydney AW America/Aruba AX Europe/Mariehamn',
  'AZ Asia/Baku BA Europe/Sarajevo BB America/Barbados BD Asia/Dhaka BE Europe/Brussels',
  'BF Africa/Ouagadougou BG Europe/Sofia BH Asia/Bahrain BI Africa/Bujumbura BJ Africa/Porto-Novo',
  'BL America/St_Barthelemy BM Atlantic/Bermuda BN Asia/Brunei BO America/La_Paz BQ America/Kralendijk',
  'BR America/Sao_Paulo BS America/Nassau BT Asia/Thimphu BW Africa/Gaborone BY Europe/Minsk',
  'BZ America/Belize CA America/Toronto CC Indian/Cocos CD Africa/Kinshasa CF Africa/Bangui',
  'CG Africa/Brazzaville CH Europe/Zurich CI Africa/Abidjan CK Pacific/Rarotonga CL America/Santiago',
  'CM Africa/Douala CN Asia/Shanghai CO America/Bogota CR America/Costa_Rica CU America/Havana',
  'CV Atlantic/Cape_Verde CW America/Curacao CX Indian/Christmas CY Asia/Nicosia CZ Europe/Prague',
  'DE Europe/Berlin DJ Africa/Djibouti DK Europe/Copenhagen DM America/Dominica DO America/Santo_Domingo',
  'DZ Africa/Algiers EC America/Guayaquil EE Europe/Tallinn EG Africa/Cairo EH Africa/El_Aaiun',
  'ER Africa/Asmara ES Europe/Madrid ET Africa/Addis_Ababa FI Europe/Helsinki FJ Pacific/Fiji',
  'FK Atlantic/Stanley FM Pacific/Chuuk FO Atlantic/Faroe FR Europe/Paris GA Africa/Libreville',
  'GB Europe/London GD America/Grenada GE Asia/Tbilisi GF America/Cayenne GG Europe/Guernsey',
  'GH Africa/Accra GI Europe/Gibraltar GL America/Nuuk GM Africa/Banjul GN Africa/Conakry',
  'GP America/Guadeloupe GQ Africa/Malabo GR Europe/Athens GS Atlantic/South_Georgia GT America/Guatemala',
  'GU Pacific/Guam GW Africa/Bissau GY America/Guyana HK Asia/Hong_Kong HN America/Tegucigalpa',
  'HR Europe/Zagreb HT America/Port-au-Prince HU Europe/Budapest ID Asia/Jakarta IE Europe/Dublin',
  'IL Asia/Jerusalem IM Europe/Isle_of_Man IN Asia/Kolkata IO Indian/Chagos IQ Asia/Baghdad IR Asia/Tehran',
  'IS Atlantic/Reykjavik IT Europe/Rome JE Europe/Jersey JM America/Jamaica JO Asia/Amman JP Asia/Tokyo',
  'KE Africa/Nairobi KG Asia/Bishkek KH Asia/Phnom_Penh KI Pacific/Tarawa KM Indian/Comoro',
  'KN America/St_Kitts KP Asia/Pyongyang KR Asia/Seoul KW Asia/Kuwait KY America/Cayman KZ Asia/Almaty',
  'LA Asia/Vientiane LB Asia/Beirut LC America/St_Lucia LI Europe/Vaduz LK Asia/Colombo LR Africa/Monrovia',
  'LS Africa/Maseru LT Europe/Vilnius LU Europe/Luxembourg LV Europe/Riga LY Africa/Tripoli',
  'MA Africa/Casablanca MC Europe/Monaco MD Europe/Chisinau ME Europe/Podgorica MF America/Marigot',
  'MG Indian/Antananarivo MH Pacific/Majuro MK Europe/Skopje ML Africa/Bamako MM Asia/Yangon',
  'MN Asia/Ulaanbaatar MO Asia/Macau MP Pacific/Saipan MQ America/Martinique MR Africa/Nouakchott',
  'MS America/Montserrat MT Europe/Malta MU Indian/Mauritius MV Indian/Maldives MW Africa/Blantyre',
  'MX America/Mexico_City MY Asia/Kuala_Lumpur MZ Africa/Maputo NA Africa/Windhoek NC Pacific/Noumea',
  'NE Africa/Niamey NF Pacific/Norfolk NG Africa/Lagos NI America/Managua NL Europe/Amsterdam',
  'NO Europe/Oslo NP Asia/Kathmandu NR Pacific/Nauru NU Pacific/Niue NZ Pacific/Auckland OM Asia/Muscat',
  'PA America/Panama PE America/Lima PF Pacific/Tahiti PG Pacific/Port_Moresby PH Asia/Manila',
  'PK Asia/Karachi PL Europe/Warsaw PM America/Miquelon PN Pacific/Pitcairn PR America/Puerto_Rico',
  'PS Asia/Hebron PT Europe/Lisbon PW Pacific/Palau PY America/Asuncion QA Asia/Qatar RE Indian/Reunion',
  'RO Europe/Bucharest RS Europe/Belgrade RU Europe/Moscow RW Africa/Kigali SA Asia/Riyadh',
  'SB Pacific/Guadalcanal SC Indian/Mahe SD Africa/Khartoum SE Europe/Stockholm SG Asia/Singapore',
  'SH Atlantic/St_Helena SI Europe/Ljubljana SJ Arctic/Longyearbyen SK Europe/Bratislava SL Africa/Freetown',
  'SM Europe/San_Marino SN Africa/Dakar SO Africa/Mogadishu SR America/Paramaribo SS Africa/Juba',
  'ST Africa/Sao_Tome SV America/El_Salvador SX America/Lower_Princes SY Asia/Damascus SZ Africa/Mbabane',
  'TC America/Grand_Turk TD Africa/Ndjamena TF Indian/Kerguelen TG Africa/Lome TH Asia/Bangkok',
  'TJ Asia/Dushanbe TK Pacific/Fakaofo TL Asia/Dili TM Asia/Ashgabat TN Africa/Tunis TO Pacific/Tongatapu',
  'TR Europe/Istanbul TT America/Port_of_Spain TV Pacific/Funafuti TW Asia/Taipei TZ Africa/Dar_es_Salaam',
  'UA Europe/Kyiv UG Africa/Kampala UM Pacific/Midway US America/New_York UY America/Montevideo',
  'UZ Asia/Tashkent VA Europe/Vatican VC America/St_Vincent VE America/Caracas VG America/Tortola',
  'VI America/St_Thomas VN Asia/Ho_Chi_Minh VU Pacific/Efate WF Pacific/Wallis WS Pacific/Apia YE Asia/Aden',
  'YT Indian/Mayotte ZA Africa/Johannesburg ZM Africa/Lusaka ZW Africa/Harare',
  'AC Atlantic/St_Helena TA Atlantic/St_Helena XK Europe/Belgrade', // regions libphonenumber has and zone.tab lacks
]);

/**
 * Countries whose zone follows the national number's leading digits: zone → space-separated
 * prefixes of the national (significant) number. The longest matching prefix wins; no
 * match means the country's entry in COUNTRY_ZONES.
 */
const PREFIX_ZONES: Record<string, Record<string, string>> = {
  US: {
    'America/New_York':
      '203 475 860 959 302 202 771 239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954 ' +
      '229 404 470 478 678 706 762 770 912 943 502 606 859 207 227 240 301 410 443 667 339 351 413 508 617 774 781 857 978 ' +
      '603 201 551 609 640 732 848 856 862 908 973 212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 ' +
      '914 917 929 934 252 336 472 704 743 828 910 919 980 984 216 220 234 283 326 330 380 419 436 440 513 567 614 740 937 ' +
      '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 401 803 821 839 843 854 864 423 865 802 ' +
      '276 434 540 571 686 703 757 804 826 948 304 681',
    'America/Detroit': '231 248 269 313 517 586 616 679 734 810 906 947 989',
    'America/Indiana/Indianapolis': '260 317 463 574 765 812 930',
    'America/Chicago':
      '205 251 256 334 659 938 327 479 501 870 448 850 217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872 ' +
      '219 319 515 563 641 712 316 620 785 913 270 364 225 318 337 504 985 218 320 507 612 651 763 924 952 228 471 601 662 ' +
      '769 235 314 417 557 573 636 660 816 975 308 402 531 701 405 539 572 580 918 605 615 629 731 901 931 210 214 254 281 ' +
      '325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 262 274 353 414 534 608 ' +
      '715 920',
    'America/Denver': '303 719 720 970 983 406 505 575 385 435 801 307 915',
    'America/Boise': '208 986',
    'America/Phoenix': '480 520 602 623 928', // Arizona keeps standard time all year
    'America/Los_Angeles':
      '209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 ' +
      '820 831 840 858 909 916 925 949 951 702 725 775 458 503 541 971 206 253 360 425 509 564',
    'America/Anchorage': '907',
    'Pacific/Honolulu': '808',
  },
  CA: {
    'America/St_Johns': '709 879',
    'America/Halifax': '428 506 782 902',
    // Quebec follows the same rules as Ontario; tzdata files it under America/Toronto.
    'America/Toronto': '226 249 289 343 365 382 387 416 437 519 548 613 647 683 705 742 753 807 905 942 ' + '263 354 367 418 438 450 468 514 579 581 819 873',
    'America/Winnipeg': '204 431 584',
    'America/Regina': '306 474 639', // Saskatchewan keeps standard time all year
    'America/Edmonton': '368 403 587 780 825 867',
    'America/Vancouver': '236 250 257 604 672 778',
  },
  BR: {
    'America/Cuiaba': '65 66',
    'America/Campo_Grande': '67',
    'America/Rio_Branco': '68',
    'America/Porto_Velho': '69',
    'America/Manaus': '92 97',
    'America/Boa_Vista': '95',
    'America/Belem': '91 94 96',
    'America/Santarem': '93',
    'America/Fortaleza': '83 84 85 86 88 89 98 99',
    'America/Recife': '81 87',
    'America/Maceio': '79 82',
    'America/Bahia': '71 73 74 75 77',
    'America/Araguaina': '63',
  },
  MX: {
    'America/Tijuana': '646 661 664 665 686',
    'America/Hermosillo': '631 633 637 638 641 642 644 647 653 662', // Sonora: UTC−7, no DST
    'America/Mazatlan': '311 612 613 615 624 667 668 669 687',
    'America/Cancun': '983 984 987 998',
    'America/Ciudad_Juarez': '656', // follows US Mountain DST, unlike the rest of Chihuahua
  },
  AU: {
    // 4xx mobiles fall through to Sydney. 08 covers SA, NT and WA: 08 6/9 is WA, 08 89 is NT.
    'Australia/Melbourne': '3',
    'Australia/Hobart': '36',
    'Australia/Brisbane': '7',
    'Australia/Adelaide': '87 88',
    'Australia/Darwin': '889',
    'Australia/Perth': '86 89',
  },
  ID: {
    // 8xx mobiles fall through to Jakarta (WIB).
    'Asia/Makassar': '36 37 38 4 51 54 55',
    'Asia/Pontianak': '53 56',
    'Asia/Jayapura': '9',
  },
  RU: {
    // 9xx mobiles fall through to Moscow. Fixed lines of the largest cities east of the Volga:
    'Europe/Kaliningrad': '401',
    'Europe/Samara': '846',
    'Asia/Yekaterinburg': '342 343 345 347 351',
    'Asia/Omsk': '381',
    'Asia/Novosibirsk': '383',
    'Asia/Krasnoyarsk': '391',
    'Asia/Irkutsk': '395',
    'Asia/Yakutsk': '411',
    'Asia/Vladivostok': '421 423',
  },
  CL: { 'America/Punta_Arenas': '61' },
  ES: { 'Atlantic/Canary': '822 828 922 928' },
  PT: { 'Atlantic/Azores': '292 295 296' },
};

const PREFIXES = new Map(
  Object.entries(PREFIX_ZONES).map(([country, zones]) => [
    country,
    new Map(Object.entries(zones).flatMap(([zone, prefixes]) => prefixes.split(' ').map((p) => [p, zone] as const))),
  ]),
);
const LONGEST_PREFIX = 3;

function parsePairs(lines: string[]): Map<string, string> {
  const words = lines.join(' ').split(' ');
  const pairs = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) pairs.set(words[i]!, words[i + 1]!);
  return pairs;
}

/**
 * The IANA time zone to assume for a phone number, or null when the number is not a
 * valid E.164 number or belongs to no country (+800, +881 … non-geographic services).
 */
export function timeZoneForPhone(e164: string): string | null {
  const phone = typeof e164 === 'string' ? parsePhoneNumberFromString(e164) : undefined;
  if (!phone?.country || !phone.isValid()) return null;
  const byPrefix = PREFIXES.get(phone.country);
  if (byPrefix) {
    const national = phone.nationalNumber;
    for (let n = LONGEST_PREFIX; n >= 1; n--) {
      const zone = byPrefix.get(national.slice(0, n));
      if (zone) return zone;
    }
  }
  return COUNTRY_ZONES.get(phone.country) ?? null;
}
