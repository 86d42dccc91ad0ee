/** The region's configuration lives in lib/ (the workflow reads its calendar and digest times too); re-exported here. */
export { loadRegionConfig, parseRegionConfig, regionConfigSchema, type RegionConfig } from '../lib/region-config.js';
