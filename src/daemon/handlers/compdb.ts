import type { Handler } from '../server.js';

/** Writes compile_commands.json now, planned as a build with these parameters would be. */
export const compdb: Handler<'compdb'> = (params, { daemon }) => daemon.builder.compdb(params.env ?? {}, params.path, params.profile);
