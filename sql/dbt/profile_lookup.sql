-- One customer's 360 profile (the app's and the assistant's single-customer read).
select * from GOLD.customer_360_profile where customer_id = ?
