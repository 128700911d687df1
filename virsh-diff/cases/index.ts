// Every group's cases.

import type { CaseGroup } from "../case.js";
import { groups as blockjob } from "./blockjob.js";
import { groups as devices } from "./devices.js";
import { groups as domain } from "./domain.js";
import { groups as host } from "./host.js";
import { groups as misc } from "./misc.js";
import { groups as migrate } from "./migrate.js";
import { groups as monitor } from "./monitor.js";
import { groups as network } from "./network.js";
import { groups as seed } from "./seed.js";
import { groups as storage } from "./storage.js";
import { groups as vsh } from "./vsh.js";

export const CASE_GROUPS: readonly CaseGroup[] = [...vsh, ...host, ...monitor, ...domain, ...blockjob, ...devices, ...migrate, ...storage, ...network, ...seed, ...misc];
