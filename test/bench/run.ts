// `npm run bench [-- --json]`: every benchmark, as rates and ratios against baselines measured in the same run.
import { measureInbound } from './inbound';
import { measureHeadlessRss } from './rss';

const json = process.argv.includes('--json');
const figures: Record<string, number> = {};
const say = (text: string) => { if (!json) process.stdout.write(`${text}\n`); };

say('inbound pipeline: 20,000 user/updated events, frame → parse → validate → state, vs bare ws + JSON.parse');
Object.assign(figures, await measureInbound());
say(`  pipeline ${figures.inbound_events_per_s} events/s, bare ${figures.bare_events_per_s} events/s, ratio ${figures.inbound_ratio} (goal ≥ 0.5)`);

say('headless client memory with 10,000 known users');
Object.assign(figures, await measureHeadlessRss());
say(`  RSS ${figures.rss_mb_idle} MB connected and idle, ${figures.rss_mb_10k_users} MB with 10,000 users`);

if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
