import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import { createBaselineModel } from './baseline.js';
import type { ClassifyDeps } from './classify-message.js';
import { IncidentIndex } from './incidents.js';
import { loadModel } from './linear-text-model.js';
import { createMunicipalityDetector, loadGazetteer } from './municipality.js';
import { loadRegionConfig } from './region-config.js';
import type { TextModel } from './text-model.js';

export interface ClassifierFiles {
  modelsDir: string;
  gazetteerPath: string;
  regionConfigPath: string;
}

async function optionalModel(file: string): Promise<TextModel | undefined> {
  return fs.existsSync(file) ? loadModel(file) : undefined;
}

/**
 * Everything the classify stage needs, read once at start: a region change applies to messages classified after a
 * restart, while registered cases keep the deadline they got. A missing category model is not fatal: the keyword
 * baseline keeps the pipeline running and says so in the model version of every classification.
 */
export async function loadClassifier(files: ClassifierFiles, logger: Logger): Promise<ClassifyDeps> {
  const region = loadRegionConfig(files.regionConfigPath);
  const trained = await optionalModel(path.join(files.modelsDir, 'category.json.gz'));
  if (!trained) logger.warn({ modelsDir: files.modelsDir }, 'no trained category model; using the keyword baseline (run `npm run train:default`)');
  const complaintModel = await optionalModel(path.join(files.modelsDir, 'complaint.json.gz'));
  // Optional: without it messages carry no routing suggestions and the workflow routes by its table alone.
  const routingModel = await optionalModel(path.join(files.modelsDir, 'routing.json.gz'));
  const municipalities = fs.existsSync(files.gazetteerPath) ? createMunicipalityDetector(await loadGazetteer(files.gazetteerPath)) : undefined;
  if (!municipalities) logger.warn({ gazetteer: files.gazetteerPath }, 'no gazetteer; municipalities come only from the channels');
  return {
    region,
    categoryModel: trained ?? createBaselineModel(),
    complaintModel,
    routingModel,
    municipalities,
    incidents: new IncidentIndex({ windowHours: 72 }),
  };
}
