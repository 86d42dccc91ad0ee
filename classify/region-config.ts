/** The region's configuration lives in lib/ (the workflow reads its calendar and digest times too); re-exported here. */
export { loadRegionConfig, parseRegionConfig, readRegionFile, regionBasics, regionConfigSchema, type RegionConfig } from '../lib/region-config.js';
