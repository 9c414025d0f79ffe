// lightning/actions as the platform provides it: the event a screen quick action dispatches to close.
export const CloseActionScreenEvent = class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super('close');
  }
};
