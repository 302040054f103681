"""The morning checklist as one command (`sprocket doctor`): :mod:`sprocket.doctor.service`."""
