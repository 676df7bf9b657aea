import type { Handler } from '../server.js';

/** Removes what jmake built (every profile); the event log and the state stay. */
export const clean: Handler<'clean'> = async (_params, { daemon }) => ({ removed: await daemon.builder.clean() });
