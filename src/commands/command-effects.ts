import * as configurationService from '../charge-points/configuration.service.ts';
import * as dataTransferService from '../charge-points/data-transfer.service.ts';
import * as chargingProfileService from '../charging-profiles/charging-profile.service.ts';
import type { Database } from '../db/database.ts';
import * as localListService from '../local-auth-list/local-list.service.ts';
import * as reservationService from '../reservations/reservation.service.ts';
import type { CommandAction, CommandRequest, CommandResponse } from './charger-commands.ts';

/**
 * What a charger's answer changes in our records. Effects that the charger reports itself (a Reset's
 * reboot and BootNotification, ChangeAvailability's StatusNotification, RemoteStart's StartTransaction)
 * arrive through the charger's own messages and need nothing here.
 */
export async function applyEffects<A extends CommandAction>(
  db: Database,
  chargePointId: string,
  action: A,
  request: CommandRequest<A>,
  response: CommandResponse<A>,
): Promise<void> {
  const c = { action, request, response } as Answer;
  switch (c.action) {
    case 'GetConfiguration':
      return configurationService.reported(db, chargePointId, c.response.configurationKey ?? [], c.response.unknownKey ?? []);
    case 'ChangeConfiguration':
      if (c.response.status === 'Accepted' || c.response.status === 'RebootRequired') {
        await configurationService.changed(db, chargePointId, c.request.key, c.request.value);
      }
      return;
    case 'ReserveNow':
      await reservationService.answered(db, c.request.reservationId, c.response.status);
      return;
    case 'CancelReservation':
      if (c.response.status === 'Accepted') await reservationService.cancelled(db, c.request.reservationId);
      return;
    case 'SetChargingProfile':
      if (c.response.status === 'Accepted') {
        await chargingProfileService.installed(db, chargePointId, c.request.connectorId, c.request.csChargingProfiles);
      }
      return;
    case 'ClearChargingProfile':
      if (c.response.status === 'Accepted') {
        await chargingProfileService.cleared(db, chargePointId, {
          id: c.request.id,
          connectorId: c.request.connectorId,
          purpose: c.request.chargingProfilePurpose,
          stackLevel: c.request.stackLevel,
        });
      }
      return;
    case 'SendLocalList':
      if (c.response.status === 'Accepted') await localListService.applied(db, chargePointId, c.request);
      return;
    case 'GetLocalListVersion':
      return localListService.versionReported(db, chargePointId, c.response.listVersion);
    case 'DataTransfer':
      return dataTransferService.recordOutgoing(db, {
        chargePointId,
        vendorId: c.request.vendorId,
        messageId: c.request.messageId ?? null,
        data: c.request.data ?? null,
        status: c.response.status,
        responseData: c.response.data ?? null,
      });
    default:
      return;
  }
}

/** A discriminated union over actions, so each case above sees its own request and answer types. */
type Answer = { [A in CommandAction]: { action: A; request: CommandRequest<A>; response: CommandResponse<A> } }[CommandAction];
