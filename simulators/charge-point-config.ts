// Configuration keys of a simulated OCPP 1.6 charge point (GetConfiguration / ChangeConfiguration).

import type { ChangeConfigurationStatus, ConfigurationKey, GetConfigurationConf } from './ocpp-types.ts';

type KeyType = 'int' | 'bool' | 'string' | 'csl';

interface KeyDefinition {
  type: KeyType;
  readonly: boolean;
  value: string;
}

export interface ConfigurationDefaults {
  heartbeatIntervalSec: number;
  meterValueSampleIntervalSec: number;
  numberOfConnectors: number;
}

const MEASURANDS = 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC,Temperature';
const MAX_KEYS = 50;

export class ChargePointConfiguration {
  private readonly keys = new Map<string, KeyDefinition>();
  private readonly listeners: Array<(key: string, value: string) => void> = [];

  constructor(defaults: ConfigurationDefaults) {
    const connectors = defaults.numberOfConnectors;
    const phaseRotation = Array.from({ length: connectors + 1 }, (_, i) => `${i}.RST`).join(',');
    const def = (key: string, type: KeyType, value: string | number | boolean, readonly = false) =>
      this.keys.set(key, { type, readonly, value: String(value) });
    def('AllowOfflineTxForUnknownId', 'bool', false);
    def('AuthorizationCacheEnabled', 'bool', true);
    def('AuthorizeRemoteTxRequests', 'bool', true);
    def('BlinkRepeat', 'int', 3);
    def('ClockAlignedDataInterval', 'int', 0);
    def('ConnectionTimeOut', 'int', 60);
    def('ConnectorPhaseRotation', 'csl', phaseRotation);
    def('GetConfigurationMaxKeys', 'int', MAX_KEYS, true);
    def('HeartbeatInterval', 'int', defaults.heartbeatIntervalSec);
    def('LightIntensity', 'int', 50);
    def('LocalAuthorizeOffline', 'bool', true);
    def('LocalPreAuthorize', 'bool', false);
    def('MeterValuesAlignedData', 'csl', 'Energy.Active.Import.Register');
    def('MeterValuesSampledData', 'csl', MEASURANDS);
    def('MeterValueSampleInterval', 'int', defaults.meterValueSampleIntervalSec);
    def('NumberOfConnectors', 'int', connectors, true);
    def('ResetRetries', 'int', 3);
    def('StopTransactionOnEVSideDisconnect', 'bool', true);
    def('StopTransactionOnInvalidId', 'bool', true);
    def('StopTxnAlignedData', 'csl', 'Energy.Active.Import.Register');
    def('StopTxnSampledData', 'csl', 'Energy.Active.Import.Register');
    def('SupportedFeatureProfiles', 'csl',
      'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger', true);
    def('TransactionMessageAttempts', 'int', 3);
    def('TransactionMessageRetryInterval', 'int', 60);
    def('UnlockConnectorOnEVSideDisconnect', 'bool', true);
    def('WebSocketPingInterval', 'int', 30);
    def('LocalAuthListEnabled', 'bool', true);
    def('LocalAuthListMaxLength', 'int', 100, true);
    def('SendLocalListMaxLength', 'int', 100, true);
    def('ReserveConnectorZeroSupported', 'bool', false, true);
    def('ChargeProfileMaxStackLevel', 'int', 10, true);
    def('ChargingScheduleAllowedChargingRateUnit', 'csl', 'Current,Power', true);
    def('ChargingScheduleMaxPeriods', 'int', 24, true);
    def('MaxChargingProfilesInstalled', 'int', 10, true);
  }

  /** Called after a successful change (ChangeConfiguration or set()). */
  onChange(listener: (key: string, value: string) => void): void {
    this.listeners.push(listener);
  }

  get(key: string): string | undefined {
    return this.keys.get(key)?.value;
  }

  getNumber(key: string): number {
    return Number(this.keys.get(key)?.value ?? NaN);
  }

  getBoolean(key: string): boolean {
    return this.keys.get(key)?.value === 'true';
  }

  /** The GetConfiguration.conf payload for the requested keys (all keys when none requested). */
  list(requested?: string[]): GetConfigurationConf {
    if (!requested || requested.length === 0) {
      return { configurationKey: [...this.keys.keys()].map((k) => this.entry(k)) };
    }
    const configurationKey: ConfigurationKey[] = [];
    const unknownKey: string[] = [];
    for (const key of requested.slice(0, MAX_KEYS)) {
      if (this.keys.has(key)) configurationKey.push(this.entry(key));
      else unknownKey.push(key);
    }
    return {
      ...(configurationKey.length ? { configurationKey } : {}),
      ...(unknownKey.length ? { unknownKey } : {}),
    };
  }

  /** Applies a ChangeConfiguration request; validates the value against the key's type. */
  change(key: string, value: string): ChangeConfigurationStatus {
    const def = this.keys.get(key);
    if (!def) return 'NotSupported';
    if (def.readonly || !isValid(def.type, value)) return 'Rejected';
    this.set(key, value);
    return 'Accepted';
  }

  /** Sets a value bypassing the readonly flag (the charge point itself changing it). */
  set(key: string, value: string): void {
    const def = this.keys.get(key);
    if (!def) return;
    def.value = def.type === 'bool' ? value.toLowerCase() : value.trim();
    for (const listener of this.listeners) listener(key, def.value);
  }

  private entry(key: string): ConfigurationKey {
    const def = this.keys.get(key);
    return { key, readonly: def?.readonly ?? true, value: def?.value ?? '' };
  }
}

function isValid(type: KeyType, value: string): boolean {
  switch (type) {
    case 'int':
      return /^\s*\d+\s*$/.test(value);
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'csl':
    case 'string':
      return value.length <= 500;
  }
}
