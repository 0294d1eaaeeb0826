/**
 * `globalSetup: 'qlik-engine-double/jest/global-setup'`: starts one double for the jest run with
 * options from the config's `globals.engineDouble` and ENGINE_DOUBLE_* (see setup.ts).
 */
import { globalSetup } from './setup';

export = globalSetup;
