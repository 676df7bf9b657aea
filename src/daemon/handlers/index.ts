/** The dispatch table: one handler per protocol method. */
import type { Method } from '../../protocol/messages.js';
import type { Handler } from '../server.js';
import { build } from './build.js';
import { cancel, cancelBuild } from './cancel.js';
import { clean } from './clean.js';
import { cli } from './cli.js';
import { cache } from './cache.js';
import { complete } from './complete.js';
import { compdb } from './compdb.js';
import { events } from './events.js';
import { hello } from './hello.js';
import { jobs } from './jobs.js';
import { notify } from './notify.js';
import { shutdown } from './shutdown.js';
import { status } from './status.js';
import { tools } from './tools.js';
import { watch } from './watch.js';
import { why } from './why.js';

export const HANDLERS: { readonly [M in Method]: Handler<M> } = { hello, status, events, shutdown, cancel, build, tools, clean, cache, why, complete, jobs, 'cancel-build': cancelBuild, compdb, watch, notify, cli };
