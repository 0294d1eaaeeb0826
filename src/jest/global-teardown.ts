/** `globalTeardown: 'qlik-engine-double/jest/global-teardown'`: closes the double globalSetup started. */
import { globalTeardown } from './setup';

export = globalTeardown;
