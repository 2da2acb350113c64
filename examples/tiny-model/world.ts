/**
 * A made-up world for the tiny model's search dialogues: cities, buildings, rivers, mountain
 * ranges, inventions and people with random names, written as short encyclopedia pages in
 * the style of `tools/web-search/corpus/`, and questions whose answers are on those pages. The tiny
 * model learns to search and read the answer off the result here; the questions of
 * `tools/web-search/corpus/` (the eval's facts) are never in its training data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from '../../src/eval/prng.js';
import { int, pick } from './draw.js';

export interface FactQuestion {
  /** The question as asked, with its answer-format suffix. */
  prompt: string;
  /** The question without the suffix: what the model searches for. */
  query: string;
  answer: string;
}

export interface WorldPage {
  path: string;
  text: string;
  questions: FactQuestion[];
}

const ONSETS = [
  'b',
  'br',
  'd',
  'dr',
  'f',
  'g',
  'gr',
  'h',
  'k',
  'kr',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  'sk',
  'st',
  't',
  'tr',
  'v',
  'w',
  'j',
  'sv',
  'fr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'aa', 'ei', 'y', 'oe'];
const CODAS = ['', '', 'n', 'r', 'l', 'rd', 'nd', 'st', 'k', 'm', 'ss', 'lt', 'rn'];
const PLACE_ENDS = [
  'vik',
  'holm',
  'by',
  'dal',
  'berg',
  'wick',
  'stad',
  'havn',
  'mark',
  'ford',
  'lund',
  'sted',
];

function syllable(random: Random): string {
  return pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Random names, never the same twice in one world. */
class Names {
  readonly #used = new Set<string>();
  constructor(private readonly random: Random) {}

  #unique(make: () => string): string {
    for (;;) {
      const name = make();
      if (!this.#used.has(name) && name.length <= 14) {
        this.#used.add(name);
        return name;
      }
    }
  }

  place(): string {
    return this.#unique(() => capital(syllable(this.random) + pick(this.random, PLACE_ENDS)));
  }

  word(): string {
    return this.#unique(() => {
      const parts = this.random() < 0.5 ? 1 : 2;
      let text = '';
      for (let i = 0; i < parts; i++) text += syllable(this.random);
      return capital(text.length < 3 ? `${text}ne` : text);
    });
  }

  person(): string {
    return this.#unique(() => {
      const first = capital(
        syllable(this.random) + (this.random() < 0.6 ? pick(this.random, VOWELS) : ''),
      );
      const last = capital(syllable(this.random) + syllable(this.random));
      return `${first} ${last}`;
    });
  }
}

const SUFFIX = {
  name: [
    ' Answer with the name only.',
    " Answer with the person's name only.",
    ' Give only the name, nothing else.',
    '',
  ],
  year: [' Answer with the year only.', ' Reply with just the year.', ''],
  number: [
    ' Answer with a number only.',
    ' Answer with the number only.',
    ' Give only the number.',
    '',
  ],
  place: [
    ' Answer with the name only.',
    ' Answer with the name only, nothing else.',
    ' Give only the name.',
    '',
  ],
};

function ask(
  random: Random,
  queries: readonly string[],
  kind: keyof typeof SUFFIX,
  answer: string | number,
): FactQuestion {
  const query = pick(random, queries);
  return { prompt: query + pick(random, SUFFIX[kind]), query, answer: String(answer) };
}

function bold(random: Random, text: string | number): string {
  return random() < 0.5 ? `**${text}**` : String(text);
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

const OCCUPATIONS = [
  'salt merchant',
  'fisherman',
  'printer',
  'miller',
  'timber trader',
  'knight',
  'shipwright',
  'abbess',
  'wool merchant',
  'chemist',
  'clockmaker',
  'engineer',
];
const BANKS = ['north', 'south', 'east', 'west'];

interface City {
  name: string;
  province: string;
  river: string;
}

/** Builds pages until `count` questions exist; each page's questions are answered on it. */
export function buildWorld(random: Random, pageCount: number): WorldPage[] {
  const names = new Names(random);
  const pages: WorldPage[] = [];
  const provinces = Array.from({ length: 40 }, () =>
    names.place().replace(/(vik|by|holm)$/, 'dal'),
  );
  const cities: City[] = [];
  const newCity = (): City => {
    const city = { name: names.place(), province: pick(random, provinces), river: names.word() };
    cities.push(city);
    return city;
  };
  const anyCity = (): City =>
    cities.length > 5 && random() < 0.5 ? pick(random, cities) : newCity();

  const makers: (() => WorldPage)[] = [
    () => cityPage(random, newCity(), names),
    () => capitalPage(random, newCity(), names),
    () => buildingPage(random, anyCity(), names),
    () => riverPage(random, anyCity(), names),
    () => rangePage(random, anyCity(), names),
    () => inventionPage(random, anyCity(), names),
    () => personPage(random, anyCity(), names),
  ];
  const paths = new Set<string>();
  while (pages.length < pageCount) {
    const page = pick(random, makers)();
    // A river or city drawn twice would give a second page at the same path: skip it.
    if (paths.has(page.path)) continue;
    paths.add(page.path);
    pages.push(page);
  }
  return pages;
}

function cityPage(random: Random, city: City, names: Names): WorldPage {
  const founder = names.person();
  const year = int(random, 1050, 1750);
  const charter = year + int(random, 5, 60);
  const occupation = pick(random, OCCUPATIONS);
  const population = int(random, 3, 300) * 100;
  const kind = pick(random, ['port city', 'market town', 'city', 'town']);
  const founding = pick(random, [
    `${city.name} was founded in ${bold(random, year)} by the ${occupation} ${bold(random, founder)}, who built a ${pick(random, ['warehouse', 'mill', 'chapel', 'fort', 'bridge'])} at a ford of the ${city.river}.`,
    `The town was founded by the ${occupation} ${bold(random, founder)} in ${bold(random, year)}.`,
    `${founder}, a ${occupation}, founded ${city.name} in ${year}.`,
  ]);
  const text = [
    `# ${city.name}`,
    '',
    `${city.name} is a ${kind} in the province of ${city.province}, on the ${pick(random, BANKS)} bank of the river ${city.river}, about ${int(random, 2, 90)} km from the sea.`,
    '',
    `## Founding`,
    '',
    `${founding} The settlement received its town charter in ${charter}.`,
    '',
    `At the census of 2019 ${city.name} had ${thousands(population)} inhabitants.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [
        `Who founded the fictional city of ${city.name}?`,
        `Who founded the city of ${city.name}?`,
        `Who was the founder of ${city.name}?`,
        `Who founded the town of ${city.name}?`,
      ],
      'name',
      founder,
    ),
    ask(
      random,
      [
        `In what year was the city of ${city.name} founded?`,
        `When was ${city.name} founded?`,
        `In what year was ${city.name} founded?`,
      ],
      'year',
      year,
    ),
    ask(
      random,
      [
        `On which river does the city of ${city.name} lie?`,
        `On which river does ${city.name} lie?`,
        `Which river flows through ${city.name}?`,
      ],
      'place',
      city.river,
    ),
    ask(
      random,
      [
        `In which province is the city of ${city.name}?`,
        `In which province does ${city.name} lie?`,
      ],
      'place',
      city.province,
    ),
  ];
  return { path: `places/${city.name.toLowerCase()}.md`, text, questions };
}

function capitalPage(random: Random, city: City, _names: Names): WorldPage {
  const population = int(random, 20, 900) * 1000;
  const first = pick(random, [
    `${city.name} is the capital of the province of ${city.province} and its largest city, with ${thousands(population)} inhabitants.`,
    `${city.name} is the capital of ${city.province} province. It has ${thousands(population)} inhabitants.`,
    `The capital of the province of ${city.province} is ${city.name}, a city of ${thousands(population)} people.`,
  ]);
  const text = [
    `# ${city.name}`,
    '',
    `${first} It lies on the river ${city.river}.`,
    '',
    `${city.name} began around ${int(random, 900, 1400)} as a ${pick(random, ['fishing village', 'river crossing', 'market'])}. It became the seat of the provincial council in ${int(random, 1450, 1800)}.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [
        `What is the capital of the province of ${city.province}?`,
        `Which city is the capital of ${city.province}?`,
        `What is the capital of ${city.province}?`,
      ],
      'place',
      city.name,
    ),
  ];
  return { path: `places/${city.name.toLowerCase()}.md`, text, questions };
}

const BUILDINGS = [
  { kind: 'Tower', what: 'clock tower', items: 'bells' },
  { kind: 'Gate', what: 'city gate', items: 'statues' },
  { kind: 'Hall', what: 'guild hall', items: 'windows' },
  { kind: 'Bridge', what: 'stone bridge', items: 'arches' },
  { kind: 'Library', what: 'public library', items: 'reading rooms' },
  { kind: 'Church', what: 'church', items: 'bells' },
];

function buildingPage(random: Random, city: City, names: Names): WorldPage {
  const type = pick(random, BUILDINGS);
  const name = `${names.word()} ${type.kind}`;
  const architect = names.person();
  const year = int(random, 1300, 1950);
  const count = int(random, 2, 60);
  const height = int(random, 12, 140);
  const design = pick(random, [
    `It was designed by the architect ${bold(random, architect)} and completed in ${bold(random, year)}.`,
    `The architect ${bold(random, architect)} designed it, and it was completed in ${year}.`,
  ]);
  const holds = pick(random, [
    `It holds ${bold(random, `${count} ${type.items}`)}.`,
    `It has ${bold(random, `${count} ${type.items}`)}.`,
  ]);
  const text = [
    `# ${name}`,
    '',
    `The ${name} is the ${type.what} on the ${names.word()} Square of ${city.name}. ${design} It is ${height} m tall.`,
    '',
    `${holds} The largest ${pick(random, ['is', 'was'])} ${pick(random, ['given by', 'named after'])} ${names.person()}.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [
        `Which architect designed the ${name} in ${city.name}?`,
        `Who designed the ${name}?`,
        `Which architect designed the ${name}?`,
      ],
      'name',
      architect,
    ),
    ask(
      random,
      [
        `How many ${type.items} does the ${name} in ${city.name} hold?`,
        `How many ${type.items} does the ${name} have?`,
      ],
      'number',
      count,
    ),
    ask(
      random,
      [
        `In what year was the ${name} completed?`,
        `When was the ${name} in ${city.name} completed?`,
      ],
      'year',
      year,
    ),
    ask(
      random,
      [
        `How tall is the ${name}, in metres?`,
        `How tall is the ${name} in ${city.name}, in metres?`,
      ],
      'number',
      height,
    ),
  ];
  return { path: `places/${name.toLowerCase().replace(/ /g, '-')}.md`, text, questions };
}

function riverPage(random: Random, city: City, names: Names): WorldPage {
  const length = int(random, 20, 1400);
  const lake = names.word();
  const range = names.word();
  const text = [
    `# River ${city.river}`,
    '',
    `The ${city.river} is ${pick(random, ['the longest river', 'a river', 'the second-longest river'])} of ${city.province} province. It is ${bold(random, `${length} km`)} long. It rises at Lake ${lake} in the ${range} Mountains and flows ${pick(random, BANKS)} to the sea.`,
    '',
    `Cities on the ${city.river} include ${city.name}. The ${city.river} floods in ${pick(random, ['spring', 'autumn'])}; the flood of ${int(random, 1300, 1900)} destroyed ${int(random, 2, 90)} houses.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [
        `How long is the river ${city.river}, in kilometres?`,
        `How long is the ${city.river}, in kilometres?`,
        `What is the length of the river ${city.river} in km?`,
      ],
      'number',
      length,
    ),
    ask(
      random,
      [
        `In which lake does the river ${city.river} rise?`,
        `Where does the river ${city.river} rise?`,
      ],
      'place',
      `Lake ${lake}`,
    ),
  ];
  return { path: `places/river-${city.river.toLowerCase()}.md`, text, questions };
}

function rangePage(random: Random, city: City, names: Names): WorldPage {
  const range = names.word();
  const peak = names.word();
  const second = names.word();
  const height = int(random, 900, 4800);
  const climbed = int(random, 1700, 1950);
  const text = [
    `# ${range} Mountains`,
    '',
    `The ${range} Mountains form the ${pick(random, BANKS)}ern border of ${city.province} province. The range is about ${int(random, 30, 600)} km long.`,
    '',
    `The highest peak is ${bold(random, `Mount ${peak}`)}, ${thousands(height)} m above sea level, first climbed in ${climbed} by the mountain guide ${names.person()}. The second-highest peak is the ${second}, ${thousands(height - int(random, 50, 600))} m.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [
        `What is the highest peak of the ${range} Mountains?`,
        `Which is the highest peak of the ${range} Mountains?`,
      ],
      'place',
      `Mount ${peak}`,
    ),
    ask(
      random,
      [`In what year was Mount ${peak} first climbed?`, `When was Mount ${peak} first climbed?`],
      'year',
      climbed,
    ),
  ];
  return { path: `places/${range.toLowerCase()}-mountains.md`, text, questions };
}

const INVENTIONS = [
  { kind: 'cell', what: 'saltwater battery', unit: 'volts', verb: 'produce', verbs: 'produces' },
  { kind: 'lamp', what: 'oil lamp', unit: 'watts', verb: 'use', verbs: 'uses' },
  { kind: 'pump', what: 'water pump', unit: 'litres per minute', verb: 'move', verbs: 'moves' },
  { kind: 'engine', what: 'steam engine', unit: 'horsepower', verb: 'deliver', verbs: 'delivers' },
  { kind: 'loom', what: 'weaving loom', unit: 'threads', verb: 'weave', verbs: 'weaves' },
];

function inventionPage(random: Random, city: City, names: Names): WorldPage {
  const type = pick(random, INVENTIONS);
  const inventor = names.person();
  const name = `${inventor.split(' ')[1]} ${type.kind}`;
  const year = int(random, 1650, 1950);
  const decimal = type.unit === 'volts' || random() < 0.3;
  const amount = decimal ? (int(random, 5, 99) / 10).toString() : String(int(random, 2, 400));
  const made = pick(random, [
    `It was invented by ${bold(random, inventor)} in ${city.name} in ${bold(random, year)}.`,
    `It was built in ${bold(random, year)} by the ${pick(random, OCCUPATIONS)} ${inventor} in ${city.name}.`,
  ]);
  const text = [
    `# ${name}`,
    '',
    `The ${name} is a ${type.what}. ${made}`,
    '',
    `A single ${name} ${random() < 0.5 ? `can ${type.verb}` : type.verbs} ${bold(random, `${amount} ${type.unit}`)}. It was shown to the public at the ${city.name} trade fair of ${year + int(random, 1, 9)}.`,
  ].join('\n');
  const questions = [
    ask(
      random,
      [`In what year was the ${name} invented?`, `When was the ${name} invented?`],
      'year',
      year,
    ),
    ask(random, [`Who invented the ${name}?`], 'name', inventor),
    ask(
      random,
      [
        `How many ${type.unit} can a single ${name} ${type.verb}?`,
        `How many ${type.unit} does a single ${name} ${type.verb}?`,
      ],
      'number',
      amount,
    ),
  ];
  return { path: `inventions/${name.toLowerCase().replace(/ /g, '-')}.md`, text, questions };
}

function personPage(random: Random, city: City, names: Names): WorldPage {
  const person = names.person();
  const town = names.place();
  const born = int(random, 1300, 1900);
  const died = born + int(random, 30, 90);
  const occupation = pick(random, OCCUPATIONS);
  const text = [
    `# ${person}`,
    '',
    `${person} (${born}–${died}) was a ${occupation} from ${city.name}.`,
    '',
    `## Life`,
    '',
    `${person} was born in ${born} in ${town}, the ${pick(random, ['son', 'daughter'])} of a ${pick(random, OCCUPATIONS)}. ${pick(random, ['She', 'He'])} moved to ${city.name} in ${born + int(random, 10, 25)}.`,
  ].join('\n');
  const questions = [
    ask(random, [`In which town was ${person} born?`, `Where was ${person} born?`], 'place', town),
    ask(random, [`In what year was ${person} born?`, `When was ${person} born?`], 'year', born),
  ];
  return { path: `people/${person.toLowerCase().replace(/ /g, '-')}.md`, text, questions };
}

/** Writes the pages as a corpus folder the local search back end can index. */
export function writeWorld(dir: string, pages: readonly WorldPage[]): void {
  for (const page of pages) {
    const file = join(dir, page.path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${page.text}\n`);
  }
}
