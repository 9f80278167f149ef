/**
 * Standard vocabulary needed to build pre-hash strings: CBV 2.0 Web URI prefixes, the CURIE
 * prefixes of the EPCIS 2.0 JSON-LD context, and the bare-string terms that context defines.
 */

/** CBV 2.0 Web vocabulary base (`cbv:` in the EPCIS 2.0 JSON-LD context). */
export const CBV = 'https://ref.gs1.org/cbv/';
/** GS1 Web vocabulary base (`gs1:` in the EPCIS 2.0 JSON-LD context; sensor types, exceptions). */
export const GS1_VOC = 'https://gs1.org/voc/';
/** EPCIS 2.0 vocabulary base (`epcis:`). */
export const EPCIS = 'https://ref.gs1.org/epcis/';

/**
 * CURIE prefixes expanded in *values* (CBV 2.0 §8.9 step 15: `gs1`, `epcis`, `cbv`). User
 * prefixes in values (`example:x`) stay as they are, in both XML and JSON-LD, so that the two
 * syntaxes agree (XML namespace prefixes are not in scope for attribute/text values).
 */
export const VALUE_CURIE_PREFIXES: Readonly<Record<string, string>> = { gs1: GS1_VOC, cbv: CBV, epcis: EPCIS };

/** Prefixes the EPCIS 2.0 JSON-LD context declares, usable in JSON keys without redeclaring them. */
export const CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  epcis: EPCIS,
  cbv: CBV,
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: GS1_VOC,
};

/**
 * EPC/CBV 1.x URN vocabulary → CBV 2.0 Web URI (CBV 2.0 §8.9 step 14), e.g.
 * `urn:epcglobal:cbv:bizstep:receiving` → `https://ref.gs1.org/cbv/BizStep-receiving`.
 */
export const CBV_URN_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

/** A family of bare-string terms (JSON-LD `@type: @vocab` fields) and the URI prefix they expand to. */
export type BareVocabulary = { readonly prefix: string; readonly terms: ReadonlySet<string> };

const vocabulary = (prefix: string, terms: string): BareVocabulary => ({
  prefix,
  terms: new Set(terms.trim().split(/\s+/)),
});

/** CBV 2.0 §7.1 business steps. */
export const BIZ_STEP = vocabulary(
  `${CBV}BizStep-`,
  `accepting arriving assembling collecting commissioning consigning creating_class_instance cycle_counting
  decommissioning departing destroying disassembling dispensing encoding entering_exiting holding inspecting
  installing killing loading other packing picking receiving removing repackaging repairing replacing reserving
  retail_selling sampling sensor_reporting shipping staging_outbound stock_taking stocking storing transporting
  unloading unpacking void_shipping`,
);

/** CBV 2.0 §7.2 dispositions (also used by `persistentDisposition`). */
export const DISPOSITION = vocabulary(
  `${CBV}Disp-`,
  `active available completeness_verified completeness_inferred conformant container_closed container_open damaged
  destroyed dispensed disposed encoded expired in_progress in_transit inactive mismatch_instance mismatch_class
  mismatch_quantity needs_replacement no_pedigree_match non_conformant non_sellable_other partially_dispensed
  recalled reserved retail_sold returned sellable_accessible sellable_not_accessible stolen unavailable unknown`,
);

/** CBV 2.0 §7.3 business transaction types. */
export const BIZ_TRANSACTION_TYPE = vocabulary(
  `${CBV}BTT-`,
  'bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt',
);

/** CBV 2.0 §7.4 source/destination types. */
export const SOURCE_DESTINATION_TYPE = vocabulary(`${CBV}SDT-`, 'owning_party possessing_party location');

/** CBV 2.0 §7.5 error reasons. */
export const ERROR_REASON = vocabulary(`${CBV}ER-`, 'did_not_occur incorrect_data');

/** CBV 2.0 §7.7 sensor reading components. */
export const COMPONENT = vocabulary(
  `${CBV}Comp-`,
  `x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle easting northing latitude
  longitude altitude`,
);

/** GS1 Web vocabulary measurement types (`sensorReport.type`). */
export const MEASUREMENT_TYPE = vocabulary(
  GS1_VOC,
  `AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration Radioactivity Altitude AmountOfSubstance
  AmountOfSubstancePerUnitVolume Angle AngularAcceleration AngularMomentum AngularVelocity Area Capacitance
  Conductance Conductivity Count Density Dimensionless DoseEquivalent DoseEquivalentRate DynamicViscosity
  ElectricCharge ElectricCurrent ElectricCurrentDensity ElectricFieldStrength Energy Exposure Force Frequency
  Illuminance Inductance Irradiance KinematicViscosity Length LinearMomentum Luminance LuminousFlux
  LuminousIntensity MagneticFlux MagneticFluxDensity MagneticVectorPotential Mass MassConcentration MassFlowRate
  MassPerAreaTime MemoryCapacity MolalityOfSolute MolarEnergy MolarMass MolarVolume Power Pressure RadiantFlux
  RadiantIntensity RelativeHumidity Resistance Resistivity SolidAngle SpecificVolume Speed SurfaceDensity
  SurfaceTension Temperature Time Torque Voltage Volume VolumeFlowRate VolumeFraction VolumetricFlux Wavenumber`,
);

/** GS1 Web vocabulary sensor alert types (`sensorReport.exception`). */
export const SENSOR_EXCEPTION = vocabulary(GS1_VOC, 'ALARM_CONDITION ERROR_CONDITION');

/**
 * Which bare-string vocabulary a JSON-LD field uses, by the object it sits in and its key: the
 * `@type: @vocab` fields of the EPCIS 2.0 JSON-LD context. `owner` is `event`, `persistentDisposition`,
 * `bizTransaction`, `source`, `destination`, `sensorReport` or `errorDeclaration`.
 */
export function bareVocabularyFor(owner: string, key: string): BareVocabulary | undefined {
  return BARE_VOCABULARIES.get(owner)?.get(key);
}

const BARE_VOCABULARIES: ReadonlyMap<string, ReadonlyMap<string, BareVocabulary>> = new Map(
  Object.entries({
    event: { bizStep: BIZ_STEP, disposition: DISPOSITION },
    persistentDisposition: { set: DISPOSITION, unset: DISPOSITION },
    bizTransaction: { type: BIZ_TRANSACTION_TYPE },
    source: { type: SOURCE_DESTINATION_TYPE },
    destination: { type: SOURCE_DESTINATION_TYPE },
    sensorReport: { type: MEASUREMENT_TYPE, exception: SENSOR_EXCEPTION, component: COMPONENT },
    errorDeclaration: { reason: ERROR_REASON },
  }).map(([owner, keys]) => [owner, new Map(Object.entries(keys))]),
);
