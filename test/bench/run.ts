// `npm run bench [-- --json] [-- --only rapid,inbound]`: every benchmark (or those named), as rates and ratios against baselines measured in the same run.
import { measureInbound } from './inbound';
import { buildHeadless, measureHeadlessRss } from './rss';
import { measureBattleStart } from './battle';
import { measureCapacity } from './capacity';
import { measureQueueToGame } from './local-play';
import { FRAME_BUDGET_MS, measureRendererPatch } from './renderer';
import { measureDownload } from './download';
import { measureRapidDownload } from './rapid-download';

const json = process.argv.includes('--json');
const figures: Record<string, number> = {};
const say = (text: string) => { if (!json) process.stdout.write(`${text}\n`); };
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : undefined;
const wanted = (name: string) => only === undefined || only.has(name);

if (wanted('inbound')) {
  say('inbound pipeline: frame → parse → validate → state (createLobbyApp) vs bare ws + JSON.parse on the same frames, events per CPU second of the bench process');
  Object.assign(figures, await measureInbound());
  say(`  20,000 user/updated: pipeline ${figures.inbound_events_per_s}/s, bare ${figures.bare_events_per_s}/s, ratio ${figures.inbound_ratio} (wall ${figures.inbound_wall_ratio}; goal ≥ 0.85, was 0.62)`);
  say(`  20,000 mixed (presence, chat, matchmaking, lobby list and room): pipeline ${figures.inbound_mix_events_per_s}/s, bare ${figures.bare_mix_events_per_s}/s, ratio ${figures.inbound_mix_ratio} (wall ${figures.inbound_mix_wall_ratio}; goal ≥ 0.85, was 0.11)`);
}

if (wanted('rss')) {
  say('headless client memory (built as the app ships its core), connected and with 10,000 and 100,000 known users');
  {
    const entry = await buildHeadless();
    const tenK = await measureHeadlessRss(10_000, entry);
    const hundredK = await measureHeadlessRss(100_000, entry);
    const tsx = await measureHeadlessRss(0);
    Object.assign(figures, {
      rss_mb_idle: tenK.idle_mb, rss_mb_10k_users: tenK.with_users_mb, rss_mb_100k_users: hundredK.with_users_mb,
      rss_bytes_per_user: Math.round(((hundredK.with_users_mb - hundredK.idle_mb) * 1024 * 1024) / 100_000), rss_mb_idle_tsx: tsx.idle_mb,
    });
  }
  say(`  RSS ${figures.rss_mb_idle} MB connected (goal ≤ 80, was 102 under tsx), ${figures.rss_mb_10k_users} MB with 10,000 users (goal ≤ 100, was 111), ${figures.rss_mb_100k_users} MB with 100,000 (goal ≤ 250)`);
  say(`  ${figures.rss_bytes_per_user} bytes per known user (from the 100,000 run); ${figures.rss_mb_idle_tsx} MB connected when run from the sources under tsx (npm run headless)`);
}

if (wanted('battle')) {
  say('battle/start on the real engine (spring-headless joining a spring-dedicated host on 127.0.0.1)');
  Object.assign(figures, await measureBattleStart());
  say(`  battle/start → engine spawned ${figures.battle_start_to_spawn_ms} ms, medians of 8 (goal ≤ 2× a bare spawn of the same binary, median of 16 around them: ${figures.bare_spawn_ms} ms: ratio ${figures.spawn_ratio})`);
  say(`  battle/start → player in game ${figures.battle_start_to_in_game_ms} ms`);
}

if (wanted('local-play')) {
  say('local play: queue → both players in game, medians over 10 matches (embedded server, local autohost, two lobby cores with spring-headless)');
  Object.assign(figures, await measureQueueToGame(Number(process.env.BENCH_MATCHES ?? 10)));
  const f = figures;
  say(`  queue → in game ${f.queue_to_in_game_ms} ms, not counting the ready wait (goal ≤ 2000 ms; min ${f.queue_to_in_game_min_ms}, max ${f.queue_to_in_game_max_ms}, ${f.matches} matches)`);
  say(`  steps after queue: found ${f.queue_to_found_ms} ms, ready ${f.queue_to_ready_ms} ms, autohost/start answered ${f.queue_to_autohost_started_ms} ms, battle/start ${f.queue_to_battle_start_ms} ms, engines connected ${f.queue_to_connected_ms} ms; last ready → in game ${f.ready_to_in_game_ms} ms`);
  say(`  floor, the bare engine in the same run: spring-dedicated spawn → listening ${f.bare_host_start_ms} ms + spring-headless spawn → joined ${f.bare_client_join_ms} ms = ${f.bare_floor_ms} ms`);
}

if (wanted('capacity')) {
  say('embedded server capacity: connection-core clients on 127.0.0.1, server in its own process');
  Object.assign(figures, await measureCapacity());
  say(`  held ${figures.server_concurrent_users} users with p95 system/serverStats round trip ${figures.stats_rtt_ms_at_max} ms (${figures.stats_rtt_ms_at_100} ms at 100 users, ratio ${figures.stats_rtt_ratio})`);
}

if (wanted('renderer')) {
  say(`renderer in Chromium: users listed, one users patch applied and laid out (goals: 1,000 users over 10,000 in half a frame, over 100,000 within one ${FRAME_BUDGET_MS} ms frame; one user under 1 ms)`);
  {
    const tenK = await measureRendererPatch({ users: 10_000, changes: 1_000 });
    const hundredK = await measureRendererPatch({ users: 100_000, changes: 1_000 });
    const single = await measureRendererPatch({ users: 100_000, changes: 1 });
    Object.assign(figures, {
      render_patch_1000_ms: tenK.patch_ms, render_patch_1000_to_store_ms: tenK.patch_to_store_ms, render_patch_1000_to_dom_ms: tenK.patch_to_dom_ms,
      render_frame_budget_ratio: tenK.frame_budget_ratio, render_rows_in_dom: tenK.rows_in_dom, renderer_heap_mb: tenK.heap_mb,
      render_patch_1000_ms_100k_users: hundredK.patch_ms, render_frame_budget_ratio_100k_users: hundredK.frame_budget_ratio,
      render_rows_in_dom_100k_users: hundredK.rows_in_dom,
      render_patch_1_ms_100k_users: single.patch_ms, render_patch_1_to_dom_ms_100k_users: single.patch_to_dom_ms,
      renderer_heap_mb_100k_users: hundredK.heap_mb,
    });
  }
  say(`  10,000 users: ${figures.render_patch_1000_ms} ms per 1,000-user patch laid out (goal ≤ 8 ms, half a frame; ${figures.render_frame_budget_ratio} of a frame): `
    + `stores ${figures.render_patch_1000_to_store_ms} ms, DOM ${figures.render_patch_1000_to_dom_ms} ms; ${figures.render_rows_in_dom} rows in the DOM, JS heap ${figures.renderer_heap_mb} MB`);
  say(`  100,000 users: ${figures.render_patch_1000_ms_100k_users} ms per 1,000-user patch (goal ≤ ${FRAME_BUDGET_MS} ms; ${figures.render_frame_budget_ratio_100k_users} of a frame), `
    + `${figures.render_rows_in_dom_100k_users} rows in the DOM; one-user patch ${figures.render_patch_1_to_dom_ms_100k_users} ms to the DOM (goal < 1 ms) `
    + `and ${figures.render_patch_1_ms_100k_users} ms laid out, JS heap ${figures.renderer_heap_mb_100k_users} MB`);
}

if (wanted('rapid')) {
  say('rapid download: one package (600 pool files, 60 MB incompressible) from a local server, our client vs Debian\'s pr-downloader');
  Object.assign(figures, await measureRapidDownload());
  say(`  ours ${figures.rapid_download_s} s, pr-downloader ${figures.prd_download_s} s, ratio ${figures.rapid_vs_prd_ratio} (goal ≤ 0.5; ${figures.rapid_pool_files} files, ${figures.rapid_package_mb} MB)`);
  say(`  ours through the streamer ${figures.rapid_streamer_s} s, ratio ${figures.rapid_streamer_vs_prd_ratio} to pr-downloader`);
}

if (wanted('download')) {
  say('content: a verified 128 MiB map download through the files API vs a bare HTTP GET of the same bytes (local server)');
  Object.assign(figures, await measureDownload());
  say(`  ours ${figures.download_s} s, bare ${figures.bare_download_s} s, download_vs_bare_ratio ${figures.download_vs_bare_ratio} (goal ≥ 0.7)`);
  say(`  floor (bare GET + md5sum + fsync) ${figures.floor_download_s} s: download_floor_ratio ${figures.download_floor_ratio} (floor vs bare), download_vs_floor_ratio ${figures.download_vs_floor_ratio} (ours vs floor)`);
}

if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
