/** oclif's explicit command strategy: one module lists every command (no directory scan at start-up). */
import Build from './build.js';
import CacheClean from './cache/clean.js';
import CacheStats from './cache/stats.js';
import Clean from './clean.js';
import Compdb from './compdb.js';
import Complete from './complete.js';
import DaemonList from './daemon/list.js';
import DaemonRestart from './daemon/restart.js';
import DaemonStart from './daemon/start.js';
import DaemonStatus from './daemon/status.js';
import DaemonStop from './daemon/stop.js';
import Events from './events.js';
import Init from './init.js';
import JobsCancel from './jobs/cancel.js';
import JobsList from './jobs/list.js';
import JobsResume from './jobs/resume.js';
import JobsRun from './jobs/run.js';
import Notify from './notify.js';
import Status from './status.js';
import Tools from './tools.js';
import Validate from './validate.js';
import Watch from './watch.js';
import Why from './why.js';

export const COMMANDS = {
  build: Build,
  clean: Clean,
  'cache:stats': CacheStats,
  'cache:clean': CacheClean,
  compdb: Compdb,
  complete: Complete,
  tools: Tools,
  validate: Validate,
  why: Why,
  watch: Watch,
  notify: Notify,
  status: Status,
  events: Events,
  init: Init,
  jobs: JobsList,
  'jobs:run': JobsRun,
  'jobs:resume': JobsResume,
  'jobs:cancel': JobsCancel,
  'daemon:start': DaemonStart,
  'daemon:stop': DaemonStop,
  'daemon:status': DaemonStatus,
  'daemon:restart': DaemonRestart,
  'daemon:list': DaemonList,
};
